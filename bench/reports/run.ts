/**
 * `npx tsx bench/reports/run.ts`: the reports bench on its own, against DATABASE_URL (an admin
 * URL; the bench creates and drops its own database). Prints progress on stderr, results as JSON
 * on stdout. `KEEP_BENCH_DB=1` keeps the database for inspection; `BENCH_DB=<name>` times the
 * queries again on a kept one; `BENCH_REPEATS=n` (default 5). Importing this file runs
 * nothing: the main bench calls runReportBench itself.
 */
import { pathToFileURL } from 'node:url';
import { runReportBench } from './report-bench.js';

export { runReportBench, type ReportBenchOptions, type ReportBenchResult } from './report-bench.js';

async function main(): Promise<void> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    process.stderr.write('Set DATABASE_URL to an admin URL, e.g. postgres://postgres@127.0.0.1:5432/postgres\n');
    process.exitCode = 2;
    return;
  }
  const shape = process.env.BENCH_SHAPE?.split('x').map(Number); // e.g. 2x50x10 for a quick look
  const result = await runReportBench({
    adminUrl,
    ...(shape ? { accounts: shape[0], imagesPerAccount: shape[1], versionsPerImage: shape[2] } : {}),
    keepDatabase: process.env.KEEP_BENCH_DB === '1',
    reuseDatabase: process.env.BENCH_DB || undefined,
    repeats: process.env.BENCH_REPEATS ? Number(process.env.BENCH_REPEATS) : undefined,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
