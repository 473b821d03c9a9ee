/**
 * Timed fan-out runs: A accounts x R regions x M images behind an emulator with fixed latency,
 * a per-account call budget, synced by the worker (N processes x C region jobs) when it is
 * available, else by the in-process runSync with the same concurrency and a per-account pacer.
 * Two runs in a row: cold (empty database, ListRegions not cached: every image is new) and warm
 * (nothing changed: the steady state of a daemon syncing every 15 minutes). Each wall time is
 * set next to the ideal bound of issue 4:
 *   max(calls per account / budget, total calls x latency / concurrency)
 */
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/database.js';
import { DEFAULT_REGIONS } from '../../src/emulator/index.js';
import { createBenchDatabase } from './bench-database.js';
import { startEmulatorProcess } from './emulator-process.js';
import { runSyncChild } from './sync-child.js';
import { timeWorkerRuns } from './worker-processes.js';

export interface FanOutSpec {
  accounts: number;
  regions: number;
  imagesPerRegion: number;
  latencyMs: number;
  callsPerSecond: number;
  workerProcesses: number;
  /** Region jobs in flight per worker process (or runSync's concurrency / processes in the fallback). */
  concurrency: number;
}

export interface RunTiming {
  ms: number;
  idealMs: number;
  ratio: number;
  callsPerAccount: number;
  totalCalls: number;
  status: string;
  /** CPU time of the worker processes (the sync child in the fallback) during the run. */
  syncCpuMs: number;
  /** CPU time of the emulator process during the run. */
  emulatorCpuMs: number;
}

export interface FanOutTiming {
  engine: string;
  cold: RunTiming;
  warm: RunTiming;
  regionsSynced: number;
  imagesStored: number;
  fallbackReason?: string;
}

export async function runFanOut(spec: FanOutSpec): Promise<FanOutTiming> {
  const regions = DEFAULT_REGIONS.slice(0, spec.regions).map((r) => r.regionId);
  const emu = await startEmulatorProcess({ accounts: spec.accounts, regions, imagesPerRegion: spec.imagesPerRegion, latencyMs: spec.latencyMs });
  const db = await createBenchDatabase();
  try {
    const inFlight = spec.workerProcesses * spec.concurrency;
    // Pages per region: own images plus the ones the previous account shares (every 4th), 100 a page.
    const visible = spec.imagesPerRegion + (spec.accounts > 1 ? Math.floor(spec.imagesPerRegion / 4) : 0);
    const pageCalls = regions.length * Math.max(1, Math.ceil(visible / 100));
    const timing = (ms: number, listRegions: boolean, status: string, syncCpuMs: number, emulatorCpuMs: number): RunTiming => {
      const callsPerAccount = pageCalls + (listRegions ? 1 : 0);
      const totalCalls = callsPerAccount * spec.accounts;
      const idealMs = Math.max(callsPerAccount / spec.callsPerSecond * 1000, totalCalls * spec.latencyMs / inFlight);
      return { ms, idealMs, ratio: ms / idealMs, callsPerAccount, totalCalls, status, syncCpuMs, emulatorCpuMs };
    };
    const onlyRegions = spec.regions < DEFAULT_REGIONS.length ? regions : undefined;

    const runs: RunTiming[] = [];
    let engine: string;
    let fallbackReason: string | undefined;
    emu.markCpu();
    const worker = await timeWorkerRuns({
      databaseUrl: db.url, emulatorUrl: emu.url, keys: emu.accounts,
      callsPerSecond: spec.callsPerSecond, concurrency: spec.concurrency, ...(onlyRegions ? { regions: onlyRegions } : {}),
    }, spec.workerProcesses, [], 2);
    if ('timings' in worker) {
      engine = `worker: ${spec.workerProcesses} process${spec.workerProcesses === 1 ? '' : 'es'} x concurrency ${spec.concurrency}`;
      // The emulator's CPU is split between the runs in proportion to their wall time (one counter).
      const emulatorCpuMs = await emu.cpuSinceMark();
      const wall = worker.timings.reduce((n, t) => n + t.ms, 0);
      // The worker caches ListRegions in Redis: only the cold run calls it.
      worker.timings.forEach((t, i) => runs.push(timing(t.ms, i === 0, t.run.status, t.workerCpuMs, emulatorCpuMs * (t.ms / wall))));
    } else {
      fallbackReason = worker.unavailable;
      engine = `in-process runSync, concurrency ${inFlight}, paced per account (worker unavailable)`;
      const res = await runSyncChild({
        databaseUrl: db.url, emulatorUrl: emu.url, keys: emu.accounts, concurrency: inFlight, runs: 2,
        callsPerSecond: spec.callsPerSecond, ...(onlyRegions ? { regions: onlyRegions } : {}),
      });
      const emulatorCpuMs = await emu.cpuSinceMark();
      const wall = res.runs.reduce((n, r) => n + r.ms, 0);
      for (const r of res.runs) runs.push(timing(r.ms, true, r.status, r.cpuMs, emulatorCpuMs * (r.ms / wall)));
    }
    // The database holds these runs only: the regions the last one synced, and the images stored.
    const [row = { regions: 0, images: 0 }] = await queryRows<{ regions: number; images: number }>(db.handle.db, sql`
      select (select count(*)::int from swas.region_syncs where status = 'succeeded'
                and sync_run_id = (select id from swas.sync_runs order by started_at desc limit 1)) as regions,
             (select count(*)::int from swas.custom_images) as images`);
    return {
      engine, cold: runs[0]!, warm: runs[1]!, regionsSynced: row.regions, imagesStored: row.images,
      ...(fallbackReason === undefined ? {} : { fallbackReason }),
    };
  } finally {
    await db.drop();
    await emu.stop();
  }
}

