/**
 * One timed fan-out: A accounts x R regions x M images behind an emulator with fixed latency, a
 * per-account call budget, synced by the worker (N processes x C region jobs) when it is
 * available, else by the in-process runSync with the same concurrency and a per-account pacer.
 * Returns the wall time next to the ideal bound of issue 4:
 *   max(calls per account / budget, total calls x latency / concurrency)
 */
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/database.js';
import { DEFAULT_REGIONS } from '../../src/emulator/index.js';
import { createBenchDatabase } from './bench-database.js';
import { startEmulatorProcess } from './emulator-process.js';
import { runSyncChild } from './sync-child.js';
import { timeWorkerRun } from './worker-processes.js';

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

export interface FanOutTiming {
  engine: string;
  ms: number;
  idealMs: number;
  ratio: number;
  callsPerAccount: number;
  totalCalls: number;
  status: string;
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
    // Pages per region: own images plus the ones the previous account shares (every 4th), at 100 a page.
    const visible = spec.imagesPerRegion + (spec.accounts > 1 ? Math.floor(spec.imagesPerRegion / 4) : 0);
    const callsPerAccount = 1 + regions.length * Math.max(1, Math.ceil(visible / 100));
    const totalCalls = callsPerAccount * spec.accounts;
    const idealMs = Math.max(callsPerAccount / spec.callsPerSecond * 1000, totalCalls * spec.latencyMs / inFlight);
    const onlyRegions = spec.regions < DEFAULT_REGIONS.length ? regions : undefined;

    let engine: string;
    let ms: number;
    let status: string;
    let fallbackReason: string | undefined;
    const worker = await timeWorkerRun({
      databaseUrl: db.url, emulatorUrl: emu.url, keys: emu.accounts,
      callsPerSecond: spec.callsPerSecond, concurrency: spec.concurrency, ...(onlyRegions ? { regions: onlyRegions } : {}),
    }, spec.workerProcesses);
    if ('timing' in worker) {
      engine = `worker: ${spec.workerProcesses} process${spec.workerProcesses === 1 ? '' : 'es'} x concurrency ${spec.concurrency}`;
      ms = worker.timing.ms;
      status = worker.timing.run.status;
    } else {
      fallbackReason = worker.unavailable;
      engine = `in-process runSync, concurrency ${inFlight}, paced per account (worker unavailable)`;
      const res = await runSyncChild({
        databaseUrl: db.url, emulatorUrl: emu.url, keys: emu.accounts, concurrency: inFlight,
        callsPerSecond: spec.callsPerSecond, ...(onlyRegions ? { regions: onlyRegions } : {}),
      });
      const run = res.runs[0]!;
      ms = run.ms;
      status = run.status;
    }
    // The database holds this one run only: its succeeded regions and the images they stored.
    const [row = { regions: 0, images: 0 }] = await queryRows<{ regions: number; images: number }>(db.handle.db, sql`
      select (select count(*)::int from swas.region_syncs where status = 'succeeded') as regions,
             (select count(*)::int from swas.custom_images) as images`);
    return {
      engine, ms, idealMs, ratio: ms / idealMs, callsPerAccount, totalCalls, status,
      regionsSynced: row.regions, imagesStored: row.images,
      ...(fallbackReason === undefined ? {} : { fallbackReason }),
    };
  } finally {
    await db.drop();
    await emu.stop();
  }
}
