/**
 * Case `scale` (issue 24): A accounts x 26 regions x 15 images at 100 ms per call, each account's
 * default budget (5 calls/s), the engines' default calls in flight; `sync` and `worker`, a cold run
 * (empty database) then a warm one (nothing changed). Per run:
 * - wall time over the ideal bound max(busiest account's calls / budget, all calls x latency /
 *   calls in flight), both from the calls the emulator logged in that run;
 * - CPU per region: the engine's process + the Postgres backends of the case's database + (worker)
 *   a private redis-server, over A x 26 regions;
 * - the engine's peak RSS; calls/s, peak calls in flight and peak accounts in flight from the
 *   emulator's call log (counts: they hold on a loaded machine where wall times do not).
 * Sizes: 50 and 200 accounts; BENCH_SCALE_ACCOUNTS=50,200,1000 for others. Plot: docs/scale.svg.
 *
 * From BENCH_SCALE_SHARED_FROM accounts on (`sharedFrom`), the engines share ONE database and the
 * worker's cold run is left out: a cold run is bound by writing (20-28 ms of CPU per region), so
 * at 5,000 accounts each would be about an hour of CPU on 2 cores. There `sync` runs cold (which
 * fills the database) then warm, and the worker then runs twice on the same data: its first run
 * also discovers regions (one ListRegions per account, which its cold run would have cached in
 * Redis), its second is its warm run. BENCH_SCALE_SHARED_WORKER_RUNS=1 keeps only the first.
 */
import { loadavg } from 'node:os';
import { writeFile } from 'node:fs/promises';
import { DEFAULT_REGIONS } from '../../src/emulator/index.js';
import { adminUrl, createBenchDatabase, type BenchDatabase } from '../lib/bench-database.js';
import { BackendCpu, cpuBetween, type CpuSnapshot } from '../lib/backend-cpu.js';
import { judge, round, type CaseResult, type Figure } from '../lib/case-result.js';
import type { CallLogStats } from '../lib/call-log-stats.js';
import { startEmulatorProcess, type EmulatorProcess } from '../lib/emulator-process.js';
import { startPrivateRedis, statsBetween, type PrivateRedis, type RedisStats } from '../lib/private-redis.js';
import { runSyncChild } from '../lib/sync-child.js';
import { svgLineChart } from '../lib/svg-line-chart.js';
import { timeWorkerRuns } from '../lib/worker-processes.js';

export interface ScaleOptions {
  accountCounts: number[];
  imagesPerRegion: number;
  latencyMs: number;
  callsPerSecond: number;
  /** Calls in flight for both engines (their default). */
  concurrency: number;
  /** From this many accounts on, sync and worker share one database and the worker runs no cold run (see above). */
  sharedFrom?: number;
  /** Worker runs on the shared database (default 2; 1 = only the first, which also discovers regions). */
  sharedWorkerRuns?: number;
  svgPath?: string;
  /**
   * Points of an earlier run (the results file's), drawn for the fleet sizes this run does not
   * measure: the sizes are measured in separate runs (50 and 200 take minutes, 5,000 an hour).
   */
  earlierPoints?: readonly ChartPoint[];
}

/** What the plot needs of a run. */
export type ChartPoint = Pick<RunFigures, 'accounts' | 'engine' | 'kind' | 'ms' | 'idealMs'>;

type Engine = 'sync' | 'worker';
/** `warm-first`: the worker's first run on a database `sync` filled (warm images, regions discovered anew). */
type Kind = 'cold' | 'warm' | 'warm-first';

interface RunFigures {
  accounts: number;
  engine: Engine;
  kind: Kind;
  ms: number;
  idealMs: number;
  ratio: number;
  status: string;
  calls: CallLogStats;
  cpuMs: { process: number; postgres: number; redis: number; emulator: number };
  /**
   * From the run's start to the first call's arrival (discovery's first call, connecting, the
   * run's bookkeeping), and from the last call's answer to the run's end (the last writes, the
   * run's summary): the parts of the wall no call was in flight.
   */
  headMs: number;
  tailMs: number;
  cpuPerRegionMs: number;
  maxRssMb: number;
  load: { before: number[]; after: number[] };
  /** When the run ended (ISO). */
  endedAt: string;
}

export async function scaleCase(opts: ScaleOptions): Promise<CaseResult> {
  const regions = DEFAULT_REGIONS.map((r) => r.regionId);
  const points: RunFigures[] = [];
  for (const accounts of opts.accountCounts) {
    const emu = await startEmulatorProcess({ accounts, regions, imagesPerRegion: opts.imagesPerRegion, latencyMs: opts.latencyMs });
    try {
      if (opts.sharedFrom !== undefined && accounts >= opts.sharedFrom) {
        const db = await createBenchDatabase();
        try {
          for (const engine of ['sync', 'worker'] as const) points.push(...await measureEngine(engine, accounts, regions.length, emu, opts, db));
        } finally {
          await db.drop();
        }
      } else {
        for (const engine of ['sync', 'worker'] as const) points.push(...await measureEngine(engine, accounts, regions.length, emu, opts));
      }
    } finally {
      await emu.stop();
    }
  }
  const failed = points.filter((p) => p.status !== 'succeeded');
  if (failed.length > 0) throw new Error(`scale runs did not succeed: ${failed.map((p) => `${p.engine} ${p.accounts} ${p.kind}: ${p.status}`).join(', ')}`);
  const measured = new Set(points.map((p) => p.accounts));
  const chartPoints: ChartPoint[] = [...(opts.earlierPoints ?? []).filter((p) => !measured.has(p.accounts)), ...points]
    .map((p) => ({ accounts: p.accounts, engine: p.engine, kind: p.kind, ms: round(p.ms, 0), idealMs: round(p.idealMs, 0) }))
    .sort((a, b) => a.accounts - b.accounts);
  if (opts.svgPath !== undefined) await writeFile(opts.svgPath, chart(chartPoints, opts));

  const figures: Figure[] = points.map((p) => judge({
    metric: `${p.engine}, ${p.accounts} accounts, ${p.kind}: wall / ideal (load ${p.load.before[0]?.toFixed(1)})`,
    value: round(p.ms / 1000, 2), unit: 's',
    baseline: { label: `ideal: max(${p.calls.busiestAccountCalls} calls / ${opts.callsPerSecond}/s, ${p.calls.calls} calls x ${opts.latencyMs} ms / ${opts.concurrency})`, value: round(p.idealMs / 1000, 2), unit: 's' },
    ratio: round(p.ratio, 2),
    ...(p.kind === 'warm' ? { goal: { op: '<=' as const, target: 1.3 } } : {}),
  }));
  return {
    id: 'scale',
    title: `Scale: ${opts.accountCounts.join(', ')} accounts x 26 regions x ${opts.imagesPerRegion} images, ${opts.latencyMs} ms per call, ${opts.callsPerSecond} calls/s per account, ${opts.concurrency} calls in flight`,
    figures,
    details: {
      ...opts,
      earlierPoints: undefined,
      /** Every point the plot drew: this run's and, for other fleet sizes, an earlier run's. */
      chartPoints,
      points: points.map((p) => ({
        ...p, ms: round(p.ms, 0), idealMs: round(p.idealMs, 0), ratio: round(p.ratio, 3), cpuPerRegionMs: round(p.cpuPerRegionMs, 2), maxRssMb: round(p.maxRssMb, 1),
        cpuMs: { process: round(p.cpuMs.process, 0), postgres: round(p.cpuMs.postgres, 0), redis: round(p.cpuMs.redis, 0), emulator: round(p.cpuMs.emulator, 0) },
        headMs: round(p.headMs, 0), tailMs: round(p.tailMs, 0),
        calls: { ...p.calls, callsPerSecond: round(p.calls.callsPerSecond, 1) },
      })),
    },
    notes: points.map(note),
  };
}

function note(p: RunFigures): string {
  return `${p.engine} ${p.accounts} ${p.kind}: ${round(p.ms / 1000, 1)} s vs ideal ${round(p.idealMs / 1000, 1)} s (${round(p.ratio, 2)}x); `
    + `${p.calls.calls} calls, ${round(p.calls.callsPerSecond, 0)}/s, peak ${p.calls.peakInFlight} in flight (mean ${round(p.calls.meanInFlight, 1)}) over ${p.calls.peakAccountsInFlight} accounts; `
    + `first call after ${round(p.headMs / 1000, 2)} s, end ${round(p.tailMs / 1000, 2)} s after the last answer; `
    + `CPU/region ${round(p.cpuPerRegionMs, 2)} ms (process ${round(p.cpuMs.process / 1000, 1)} s, Postgres ${round(p.cpuMs.postgres / 1000, 1)} s, Redis ${round(p.cpuMs.redis / 1000, 1)} s; emulator ${round(p.cpuMs.emulator / 1000, 1)} s besides); `
    + `peak RSS ${round(p.maxRssMb, 0)} MB; load ${p.load.before.map((l) => l.toFixed(1)).join('/')} -> ${p.load.after.map((l) => l.toFixed(1)).join('/')} ended ${p.endedAt.slice(11, 16)} UTC`;
}

/** `shared`: the database the engines share (kept), else a fresh one for this engine (dropped). */
async function measureEngine(engine: Engine, accounts: number, regionCount: number, emu: EmulatorProcess, opts: ScaleOptions, shared?: BenchDatabase): Promise<RunFigures[]> {
  const db = shared ?? await createBenchDatabase();
  const kindOf = (i: number): Kind => (i > 0 ? 'warm' : shared !== undefined && engine === 'worker' ? 'warm-first' : 'cold');
  const pg = new PostgresCpu(db);
  const redis: PrivateRedis | null = engine === 'worker' ? await startPrivateRedis() : null;
  const out: RunFigures[] = [];
  try {
    let mark: { pg: CpuSnapshot; redis: RedisStats | null; load: number[] } | null = null;
    const before = async (): Promise<void> => {
      emu.markCalls();
      emu.markCpu();
      mark = { pg: await pg.read(), redis: redis === null ? null : await redis.stats(), load: loadavg() };
    };
    const after = async (i: number, startedAt: number, ms: number, status: string, processCpuMs: number, maxRssBytes: number): Promise<void> => {
      const m = mark as unknown as { pg: CpuSnapshot; redis: RedisStats | null; load: number[] };
      const calls = await emu.callStats();
      const emulatorCpu = await emu.cpuSinceMark();
      const postgres = cpuBetween(m.pg, await pg.read());
      const redisCpu = redis === null || m.redis === null ? 0 : statsBetween(m.redis, await redis.stats()).cpuMs;
      const idealMs = Math.max(calls.busiestAccountCalls / opts.callsPerSecond * 1000, calls.calls * opts.latencyMs / opts.concurrency);
      out.push({
        accounts, engine, kind: kindOf(i), ms, idealMs, ratio: ms / idealMs, status, calls,
        cpuMs: { process: processCpuMs, postgres, redis: redisCpu, emulator: emulatorCpu },
        headMs: calls.firstCallAt === null ? ms : calls.firstCallAt - startedAt,
        tailMs: calls.lastAnswerAt === null ? 0 : startedAt + ms - calls.lastAnswerAt,
        cpuPerRegionMs: (processCpuMs + postgres + redisCpu) / (accounts * regionCount),
        maxRssMb: maxRssBytes / 1024 / 1024, load: { before: m.load, after: loadavg() }, endedAt: new Date().toISOString(),
      });
      // Each run's line as it ends: a long fleet's earlier runs are kept even if a later one fails.
      process.stderr.write(`   scale: ${note(out.at(-1) as RunFigures)}\n`);
    };
    if (engine === 'sync') {
      // One child per run: its peak RSS is that run's, with the `sync` command's garbage collection
      // (until Session 11 the child kept V8's defaults: 371 MB at 1,000 accounts warm, not 223).
      for (let i = 0; i < 2; i++) {
        await before();
        const res = await runSyncChild({
          databaseUrl: db.url, emulatorUrl: emu.url, keys: emu.accounts, concurrency: opts.concurrency, callsPerSecond: opts.callsPerSecond, runs: 1,
          syncCommandHeap: true,
        });
        const run = res.runs[0];
        if (run === undefined) throw new Error('sync child reported no run');
        await after(i, run.startedAt, run.ms, run.status, run.cpuMs, res.maxRssBytes);
      }
    } else {
      const worker = await timeWorkerRuns({
        databaseUrl: db.url, emulatorUrl: emu.url, keys: emu.accounts, callsPerSecond: opts.callsPerSecond, concurrency: opts.concurrency,
        ...(redis ? { redisUrl: redis.url } : {}),
      }, 1, [], shared !== undefined ? opts.sharedWorkerRuns ?? 2 : 2, { before, after: (i, t) => after(i, t.startedAt, t.ms, t.run.status, t.workerCpuMs, t.maxRssBytes) });
      if (!('timings' in worker)) throw new Error(`worker unavailable: ${worker.unavailable}`);
    }
  } finally {
    pg.stop();
    await redis?.stop();
    await pg.close();
    if (shared === undefined) await db.drop();
  }
  return out;
}

/**
 * CPU of the case database's backends, polled: a one-shot `sync` child's connections end with it,
 * so the last reading of each backend (at most one poll interval old) stands for its total.
 */
class PostgresCpu {
  private readonly cpu = new BackendCpu(adminUrl());
  private readonly latest: CpuSnapshot = new Map();
  private readonly timer: NodeJS.Timeout;
  private polling: Promise<void> = Promise.resolve();

  constructor(private readonly db: BenchDatabase) {
    this.timer = setInterval(() => { this.polling = this.poll(); }, 250);
  }

  private async poll(): Promise<void> {
    for (const [pid, ms] of await this.cpu.snapshotDatabase(this.db.name).catch(() => new Map<number, number>())) this.latest.set(pid, ms);
  }

  async read(): Promise<CpuSnapshot> {
    await this.polling;
    await this.poll();
    return new Map(this.latest);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  close(): Promise<void> {
    return this.cpu.close();
  }
}

function chart(points: readonly ChartPoint[], opts: ScaleOptions): string {
  const series = (engine: Engine, kind: Kind, color: string, dashed = false) => ({
    name: `${engine} ${kind}`, color, dashed,
    points: points.filter((p) => p.engine === engine && p.kind === kind).map((p) => ({ x: p.accounts, y: round(p.ms / 1000, 1) })),
  });
  // The ideal of `sync`'s runs: it runs both kinds at every size (the worker no cold run where the engines share a database).
  const ideal = (kind: Kind, color: string) => ({
    name: `ideal bound (${kind})`, color, dashed: true,
    points: points.filter((p) => p.engine === 'sync' && p.kind === kind).map((p) => ({ x: p.accounts, y: round(p.idealMs / 1000, 1) })),
  });
  return svgLineChart({
    title: 'Fleet sync wall time vs accounts (26 regions x 15 images each)',
    xLabel: `accounts; ${opts.latencyMs} ms per call, ${opts.callsPerSecond} calls/s per account, ${opts.concurrency} calls in flight; shared 2-core machine`,
    yLabel: 'seconds',
    logX: new Set(points.map((p) => p.accounts)).size > 2,
    series: [
      series('sync', 'warm', '#2ca02c'), series('worker', 'warm', '#1f77b4'),
      series('sync', 'cold', '#ff7f0e'), series('worker', 'cold', '#d62728'),
      ideal('warm', '#7f7f7f'), ideal('cold', '#bcbd22'),
    ],
  });
}
