/**
 * `npm run bench`: every case against local Postgres, Redis and the emulator; prints one table
 * and writes the results as JSON. Each figure is a ratio against a baseline measured in this run.
 *   npm run bench                    full sizes, writes bench/results.json and docs/scaling.svg
 *   npm run bench -- --quick         CI smoke: small sizes, figures not judged, bench/results.local.json
 *   npm run bench -- --only region-cost --no-baseline   without the side-by-side pre-issue code (iterating only)
 *   npm run bench -- --only region-cost --baseline-commit <sha>   that commit side by side instead (an A/B of a change)
 *   npm run bench -- --only region-cost,ingest   a subset (the file keeps every other case's latest result);  --profile adds the CPU profile of ingest and the write-path comparison
 *   npx tsx bench/run.ts --markdown bench/results.json   the table of a results file, as Markdown
 * Exits 1 only when a case crashed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { consoleCase } from './cases/console.js';
import { emulatorThroughputCase } from './cases/emulator-throughput.js';
import { fanOutCase } from './cases/fan-out.js';
import { ingestCase } from './cases/ingest.js';
import { memoryCase } from './cases/memory.js';
import { profileCase } from './cases/profile.js';
import { regionCostCase } from './cases/region-cost.js';
import { reportsCase } from './cases/reports.js';
import { resyncWritesCase } from './cases/resync-writes.js';
import { retentionCase } from './cases/retention.js';
import { scaleCase, type ChartPoint } from './cases/scale.js';
import { scalingCase } from './cases/scaling.js';
import { startupCase } from './cases/startup.js';
import { webhookDeliveryCase } from './cases/webhook-delivery.js';
import { writePathsCase } from './cases/write-paths.js';
import type { CaseResult } from './lib/case-result.js';
import { formatTable, markdownTable } from './lib/format-table.js';
import { machineInfo } from './lib/machine.js';
import { mergeResults, type ResultsFile } from './lib/merge-results.js';
import { parseRunOptions, sizes } from './lib/run-options.js';
import { nowMs } from './lib/timing.js';

const options = parseRunOptions(process.argv.slice(2));
if (options.markdown) {
  const saved = JSON.parse(await readFile(options.markdown, 'utf8')) as { results: CaseResult[]; judged: boolean };
  process.stdout.write(`${markdownTable(saved.results, saved.judged)}\n`);
  process.exit(0);
}
const size = sizes(options.quick);
// The file keeps every case's latest result: a run of some cases replaces only theirs.
const previous = await readFile(options.out, 'utf8').then((text) => JSON.parse(text) as Partial<ResultsFile>, () => null);
const earlierScale = previous?.results?.find((r) => r.id === 'scale')?.details as { points?: ChartPoint[]; chartPoints?: ChartPoint[] } | undefined;

const cases: Array<{ id: string; run: () => Promise<CaseResult>; optIn?: boolean }> = [
  { id: 'region-cost', run: () => regionCostCase({ ...size.regionCost, baseline: options.baseline, ...(options.baselineCommit ? { baselineCommit: options.baselineCommit } : {}) }) },
  { id: 'fan-out', run: () => fanOutCase(size.fanOut) },
  { id: 'resync', run: () => resyncWritesCase(size.resync) },
  { id: 'ingest', run: () => ingestCase(size.ingest) },
  { id: 'memory', run: () => memoryCase(size.memory) },
  { id: 'scaling', run: () => scalingCase({ ...size.scaling, ...(options.quick ? {} : { svgPath: 'docs/scaling.svg' }) }) },
  { id: 'scale', run: () => scaleCase({ ...size.scale, ...(options.quick ? {} : { svgPath: 'docs/scale.svg', earlierPoints: earlierScale?.chartPoints ?? earlierScale?.points ?? [] }) }) },
  { id: 'emulator', run: () => emulatorThroughputCase(size.emulator) },
  { id: 'reports', run: () => reportsCase(size.reports) },
  { id: 'console', run: () => consoleCase(size.console) },
  { id: 'webhook-delivery', run: () => webhookDeliveryCase(size.webhookDelivery) },
  { id: 'retention', run: () => retentionCase(size.retention) },
  { id: 'startup', run: () => startupCase(size.startup) },
  { id: 'profile', run: () => profileCase(size.profile), optIn: true },
  { id: 'write-paths', run: () => writePathsCase(size.writePaths), optIn: true },
];

const selected = cases.filter((c) => (options.only ? options.only.includes(c.id) : !c.optIn || options.profile));
const results: CaseResult[] = [];
const errors: Array<{ id: string; error: string }> = [];
const started = new Date();
const machine = machineInfo();
process.stderr.write(`bench ${options.quick ? '(quick) ' : ''}on ${machine.nproc} cores, Node ${machine.node}, load ${machine.loadAverage.join(' ')}\n`);

for (const c of selected) {
  const t0 = nowMs();
  process.stderr.write(`-- ${c.id} ...\n`);
  try {
    const result = await c.run();
    results.push(result);
    process.stderr.write(`   ${c.id} done in ${((nowMs() - t0) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    errors.push({ id: c.id, error: message });
    process.stderr.write(`   ${c.id} FAILED: ${message}\n`);
  }
}

// Quick mode's sizes say nothing about the goals, so its figures are shown but not judged.
const judged = !options.quick;
process.stdout.write(`\n${formatTable(results, judged)}\n`);
for (const r of results) for (const n of r.notes) process.stdout.write(`  [${r.id}] ${n}\n`);
await writeFile(options.out, `${JSON.stringify(mergeResults(previous, {
  mode: options.quick ? 'quick' : 'full',
  startedAt: started.toISOString(),
  finishedAt: new Date().toISOString(),
  machine,
  results,
  errors,
}, cases.map((c) => c.id)), null, 2)}\n`);
process.stdout.write(`\nwrote ${options.out}${errors.length > 0 ? `; ${errors.length} case(s) crashed: ${errors.map((e) => e.id).join(', ')}` : ''}\n`);
process.exit(errors.length > 0 ? 1 : 0);
