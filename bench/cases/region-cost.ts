/**
 * Issue 12: what one region costs the product, by CPU of every process it runs on (the sync or
 * worker process, its Postgres backends, its private Redis) and by statements, round trips and
 * Redis commands, for a cold pass (every image new) and an unchanged (warm) one. Denominator: the
 * CPU of the same SDK calls alone, measured in this run. The code before issue 12 (a baseline
 * commit, extracted with git) is measured side by side with the current tree when git has it.
 * CPU, not wall time: the machine is shared and loaded, and CPU seconds barely depend on that.
 */
import { DEFAULT_REGIONS } from '../../src/emulator/index.js';
import { baselineSrc, CURRENT_SRC, ISSUE_12_BASELINE } from '../lib/baseline-tree.js';
import { judge, round, type CaseResult, type Figure } from '../lib/case-result.js';
import { startEmulatorProcess } from '../lib/emulator-process.js';
import { measureEngine, measureSdkCalls, type Engine, type MeasuredPass } from '../lib/region-cost-run.js';

export interface RegionCostSpec {
  accounts: number;
  regions: number;
  imagesPerRegion: number;
  /** Regions in flight (runSync's concurrency; the worker's WORKER_CONCURRENCY). */
  concurrency: number;
  /** Measure the pre-issue code side by side (default true; `--no-baseline` skips it while iterating). */
  baseline?: boolean;
  /** The commit measured side by side (default the last one before issue 12; `--baseline-commit` for an A/B of a change). */
  baselineCommit?: string;
  /** Unchanged passes after the cold one; figures are their median. Default 5. */
  warmPasses?: number;
}

interface PerRegion {
  processMs: number;
  postgresMs: number | null;
  redisMs: number | null;
  totalMs: number;
  statements: number;
  roundTrips: number;
  redisCommands: number | null;
}

function perRegion(p: MeasuredPass): PerRegion {
  const n = Math.max(1, p.regions);
  const pg = p.postgresCpuMs;
  const redis = p.redis?.cpuMs ?? null;
  return {
    processMs: p.processCpuMs / n,
    postgresMs: pg === null ? null : pg / n,
    redisMs: redis === null ? null : redis / n,
    totalMs: (p.processCpuMs + (pg ?? 0) + (redis ?? 0)) / n,
    statements: p.statements / n,
    roundTrips: p.roundTrips / n,
    redisCommands: p.redis ? p.redis.commands / n : null,
  };
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length === 0 ? Number.NaN : sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The pass of median total CPU (a whole pass, so its parts still add up). */
function medianPass(passes: readonly PerRegion[]): PerRegion {
  const sorted = [...passes].sort((a, b) => a.totalMs - b.totalMs);
  return sorted[(sorted.length - 1) >> 1]!;
}

const r2 = (x: number | null): number | null => (x === null ? null : round(x, 2));
const rounded = (p: PerRegion) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, r2(v)]));

export async function regionCostCase(spec: RegionCostSpec): Promise<CaseResult> {
  const regionIds = DEFAULT_REGIONS.slice(0, spec.regions).map((r) => r.regionId);
  const only = spec.regions < DEFAULT_REGIONS.length ? regionIds : undefined;
  // Latency off: the figures are CPU, and waiting would only make the case slower.
  const emu = await startEmulatorProcess({ accounts: spec.accounts, regions: regionIds, imagesPerRegion: spec.imagesPerRegion, latencyMs: 0 });
  const notes: string[] = [];
  const baselineCommit = spec.baselineCommit ?? ISSUE_12_BASELINE;
  const before12 = baselineCommit === ISSUE_12_BASELINE ? 'before issue 12' : `before (${baselineCommit})`;
  try {
    const baseline = spec.baseline === false ? { unavailable: 'skipped (--no-baseline)' } : baselineSrc(baselineCommit);
    if ('unavailable' in baseline) notes.push(`Baseline not measured: ${baseline.unavailable}.`);
    const trees: Array<{ name: 'baseline' | 'current'; src: string }> = [
      ...('src' in baseline ? [{ name: 'baseline' as const, src: baseline.src }] : []),
      { name: 'current', src: CURRENT_SRC },
    ];
    // One cold pass, then WARM_PASSES unchanged ones: each figure is the median pass, and the SDK
    // baseline's passes run both before and after the engines, so a load that changes during the
    // run (this machine is shared) moves numerator and denominator alike instead of one of them.
    const warmPasses = spec.warmPasses ?? 5;
    const common = { emulatorUrl: emu.url, keys: emu.accounts, concurrency: spec.concurrency, passes: 1 + warmPasses, ...(only ? { regions: only } : {}) };
    const sdkBefore = await measureSdkCalls({ ...common, src: CURRENT_SRC, regionIds });
    const sdk = sdkBefore;
    const results: Record<string, Record<Engine, { cold: PerRegion; warm: PerRegion; raw: MeasuredPass[] }>> = {};
    for (const tree of trees) {
      const byEngine = {} as Record<Engine, { cold: PerRegion; warm: PerRegion; raw: MeasuredPass[] }>;
      for (const engine of ['sync', 'worker'] as const) {
        const passes = await measureEngine({ ...common, engine, src: tree.src });
        for (const p of passes) if (p.status !== 'succeeded') throw new Error(`region-cost ${tree.name} ${engine}: a pass ended ${p.status}`);
        byEngine[engine] = { cold: perRegion(passes[0]!), warm: medianPass(passes.slice(1).map(perRegion)), raw: passes };
      }
      results[tree.name] = byEngine;
    }
    const sdkAfter = await measureSdkCalls({ ...common, src: CURRENT_SRC, regionIds });
    // Pass i of an engine is set against pass i of the SDK calls (the mean of the two SDK children's
    // pass i): the JIT warms both alike pass after pass (the SDK's CPU halves from the first
    // unchanged pass to the fifth), so pairing by pass keeps like with like; the figure is the
    // median of the per-pass ratios, the baseline shown the median SDK pass.
    const sdkByPass = sdkBefore.map((x, i) => (x + (sdkAfter[i] ?? x)) / 2);
    const sdkWarm = median(sdkByPass.slice(1));
    const warmRatio = (raw: MeasuredPass[]): number => median(raw.slice(1).map((p, i) => perRegion(p).totalMs / (sdkByPass[i + 1] ?? Number.NaN)));
    const current = results.current!;
    const before = results.baseline;
    const figures: Figure[] = [];
    const goals: Record<Engine, number> = { sync: 3, worker: 4 };
    for (const engine of ['sync', 'worker'] as const) {
      const warm = current[engine].warm;
      const was = before?.[engine].warm;
      figures.push(judge({
        metric: `${engine}, unchanged region: product CPU per region / the same SDK calls alone, median of ${warmPasses} passes paired by pass${before ? ` (before: ${round(warmRatio(before[engine].raw), 2)}x)` : ''}`,
        value: round(warm.totalMs, 2), unit: 'ms',
        baseline: { label: 'SDK calls alone, per region (median pass)', value: round(sdkWarm, 3), unit: 'ms' },
        ratio: round(warmRatio(current[engine].raw), 2), goal: { op: '<=', target: goals[engine] },
      }));
      figures.push(judge({
        metric: `${engine}, unchanged region: round trips to Postgres per region${was ? ` (before: ${round(was.roundTrips, 1)})` : ''}`,
        value: round(warm.roundTrips, 2), unit: 'round trips', goal: { op: '<=', target: 2 },
      }));
      figures.push({
        metric: `${engine}, unchanged region: statements per region${was ? ` (before: ${round(was.statements, 1)})` : ''}`,
        value: round(warm.statements, 2), unit: 'statements',
      });
    }
    for (const pass of ['warm', 'cold'] as const) {
      const w = current.worker[pass];
      const was = before?.worker[pass];
      if (w.redisCommands !== null) {
        figures.push(judge({
          metric: `worker, ${pass === 'warm' ? 'unchanged' : 'cold'} region: Redis commands per region${was?.redisCommands ? ` (before: ${round(was.redisCommands, 1)})` : ''}`,
          value: round(w.redisCommands, 1), unit: 'commands', goal: { op: '<=', target: 15 },
        }));
      }
    }
    if (before) {
      for (const engine of ['sync', 'worker'] as const) {
        figures.push(judge({
          metric: `${engine}, cold (first) sync: product CPU per region, now / ${before12}${baselineCommit === ISSUE_12_BASELINE ? ` (${baselineCommit})` : ''}, side by side`,
          value: round(current[engine].cold.totalMs, 2), unit: 'ms',
          baseline: { label: `before (${baselineCommit})`, value: round(before[engine].cold.totalMs, 2), unit: 'ms' },
          ratio: round(current[engine].cold.totalMs / before[engine].cold.totalMs, 2), goal: { op: '<=', target: engine === 'sync' ? 2 : 2 },
        }));
        figures.push({
          metric: `${engine}, unchanged region: product CPU per region, now / ${before12}`,
          value: round(current[engine].warm.totalMs, 2), unit: 'ms',
          baseline: { label: `before (${baselineCommit})`, value: round(before[engine].warm.totalMs, 2), unit: 'ms' },
          ratio: round(current[engine].warm.totalMs / before[engine].warm.totalMs, 2),
        });
      }
    }
    const pgMissing = Object.values(results).some((e) => e.sync.warm.postgresMs === null);
    if (pgMissing) notes.push('Postgres backend CPU could not be read from /proc (server elsewhere?): product CPU leaves the database out.');
    notes.push(`SDK calls alone: ${round(sdk[0] ?? 0, 3)} ms per region cold (new clients); unchanged passes, before the engines: ${sdkBefore.slice(1).map((x) => round(x, 2)).join(', ')} ms, after: ${sdkAfter.slice(1).map((x) => round(x, 2)).join(', ')} ms; ListRegions once per account included.`);
    for (const engine of ['sync', 'worker'] as const) {
      const per = current[engine].raw.slice(1).map((p) => perRegion(p).totalMs);
      notes.push(`current ${engine}, unchanged passes: ${per.map((x) => round(x, 2)).join(', ')} ms per region; ratio per pass: ${per.map((x, i) => round(x / (sdkByPass[i + 1] ?? Number.NaN), 2)).join(', ')}x.`);
    }
    for (const [name, e] of Object.entries(results)) {
      for (const engine of ['sync', 'worker'] as const) {
        const w = e[engine].warm;
        notes.push(`${name} ${engine} unchanged, per region: process ${round(w.processMs, 2)} + Postgres ${r2(w.postgresMs) ?? '-'} + Redis ${r2(w.redisMs) ?? '-'} ms CPU; ${round(w.statements, 1)} statements in ${round(w.roundTrips, 1)} round trips${w.redisCommands !== null ? `; ${round(w.redisCommands, 1)} Redis commands` : ''}.`);
      }
    }
    return {
      id: 'region-cost',
      title: `Cost of one region: ${spec.accounts} accounts x ${spec.regions} regions x ${spec.imagesPerRegion} images, concurrency ${spec.concurrency}, CPU of every process`,
      figures,
      details: {
        ...spec, baselineCommit, sdkMsPerRegion: sdk.map((x) => round(x, 3)),
        results: Object.fromEntries(Object.entries(results).map(([name, e]) => [name, Object.fromEntries(Object.entries(e).map(([engine, v]) => [engine, {
          cold: rounded(v.cold), warm: rounded(v.warm),
          redisByCommandWarm: v.raw[1]?.redis?.byCommand ?? null,
        }]))])),
      },
      notes,
    };
  } finally {
    await emu.stop();
  }
}
