/**
 * `npm run bench [-- --quick] [--only a,b] [--profile] [--no-baseline] [--baseline-commit sha] [--out file]`, and the sizes of each mode.
 * Quick mode is the CI smoke: small sizes, no plot, figures reported but never judged.
 */
import { DEFAULT_SYNC_CONCURRENCY } from '../../src/sync/run-sync.js';

export interface RunOptions {
  quick: boolean;
  only: string[] | null;
  profile: boolean;
  out: string;
  /** Print the Markdown table of this results file and stop. */
  markdown: string | null;
  /** `--no-baseline`: skip the pre-issue code measured side by side (quicker iterations; final figures need it). */
  baseline: boolean;
  /** `--baseline-commit <sha>`: region-cost's side-by-side tree (default: before issue 12). */
  baselineCommit: string | null;
}

export function parseRunOptions(argv: readonly string[]): RunOptions {
  const quick = argv.includes('--quick');
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i === -1 ? undefined : argv[i + 1];
  };
  return {
    quick,
    only: value('--only')?.split(',').map((s) => s.trim()).filter((s) => s !== '') ?? null,
    profile: argv.includes('--profile'),
    baseline: !argv.includes('--no-baseline'),
    baselineCommit: value('--baseline-commit') ?? null,
    // Quick runs must not overwrite the committed full figures.
    markdown: value('--markdown') ?? null,
    out: value('--out') ?? (quick ? 'bench/results.local.json' : 'bench/results.json'),
  };
}

/** The scale case's fleet sizes: BENCH_SCALE_ACCOUNTS (e.g. 50,200,1000) or 50 and 200 (3 in quick mode). */
function defaultScaleAccounts(quick: boolean): number[] {
  const env = process.env.BENCH_SCALE_ACCOUNTS;
  if (env !== undefined && env.trim() !== '') return env.split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0);
  return quick ? [3] : [50, 200];
}

export function sizes(quick: boolean) {
  const fanOut = { regions: quick ? 3 : 26, imagesPerRegion: 15, latencyMs: 100, callsPerSecond: 10, workerProcesses: quick ? 1 : 2, concurrency: quick ? 8 : 32 };
  return {
    fanOut: { ...fanOut, accounts: quick ? 2 : 50 },
    regionCost: { accounts: quick ? 2 : 20, regions: quick ? 3 : 26, imagesPerRegion: 15, concurrency: quick ? 4 : 8, warmPasses: quick ? 2 : 5 },
    retention: { accounts: quick ? 1 : 3, runs: quick ? 4 : 80, imagesPerRegion: 5 },
    resync: { accounts: quick ? 1 : 10, regions: quick ? 2 : 26, imagesPerRegion: 15 },
    ingest: { images: quick ? 1_000 : 100_000, naiveSample: quick ? 100 : 2_000 },
    memory: { small: quick ? 300 : 10_000, large: quick ? 1_000 : 100_000 },
    scaling: { ...fanOut, accountCounts: quick ? [1] : [1, 10, 50, 200] },
    // Issue 24: each engine at its defaults (64 calls in flight, 5 calls/s per account); BENCH_SCALE_ACCOUNTS overrides the sizes.
    scale: {
      accountCounts: defaultScaleAccounts(quick), imagesPerRegion: 15, latencyMs: 100, callsPerSecond: 5, concurrency: DEFAULT_SYNC_CONCURRENCY,
      // BENCH_SCALE_SHARED_FROM: from this many accounts on, one database for both engines and no worker cold run (cases/scale.ts).
      ...(Number(process.env.BENCH_SCALE_SHARED_FROM) > 0 ? { sharedFrom: Number(process.env.BENCH_SCALE_SHARED_FROM) } : {}),
      ...(Number(process.env.BENCH_SCALE_SHARED_WORKER_RUNS) > 0 ? { sharedWorkerRuns: Number(process.env.BENCH_SCALE_SHARED_WORKER_RUNS) } : {}),
    },
    profile: { images: quick ? 1_000 : 100_000 },
    writePaths: { images: quick ? 1_000 : 20_000 },
    emulator: { seconds: quick ? 0.25 : 5 },
    startup: { rounds: quick ? 2 : 7 },
    webhookDelivery: { regions: quick ? 2 : 4, imagesPerRegion: 10, latencyRounds: quick ? 2 : 20, changesPerRound: 4, throughputEvents: quick ? 200 : 3_000, concurrency: 8 },
    reports: quick ? { accounts: 2, imagesPerAccount: 20, versionsPerImage: 5, repeats: 1 } : {},
    console: quick ? { accounts: 2, imagesPerAccount: 100, versionsPerImage: 3, requests: 2 } : {},
  };
}
