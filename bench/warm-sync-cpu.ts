/**
 * The warm (unchanged) `sync` path at fleet size, measured alone (issue 24): one emulator process
 * (A accounts x 26 regions x 15 images, 100 ms per call), a fresh database synced once cold, then
 * W warm runs, each in a fresh sync child at the scale case's settings (64 calls in flight, 5
 * calls/s per account). Prints the engine process's CPU per region of each warm run (CPU, not
 * wall: it holds on a loaded machine) with the load average; BENCH_PASS_PROFILE_DIR=<dir> also
 * writes a CPU profile of each run (summarize with bench/lib/cpu-profile-summary.ts).
 *   npx tsx bench/warm-sync-cpu.ts [accounts=200] [warm runs=3]
 * Set DATABASE_URL to a private server: the child opens 20 connections.
 */
import { loadavg } from 'node:os';
import { DEFAULT_REGIONS } from '../src/emulator/index.js';
import { DEFAULT_SYNC_CONCURRENCY } from '../src/sync/run-sync.js';
import { createBenchDatabase } from './lib/bench-database.js';
import { startEmulatorProcess } from './lib/emulator-process.js';
import { runSyncChild } from './lib/sync-child.js';

const accounts = Number(process.argv[2] ?? 200);
const warmRuns = Number(process.argv[3] ?? 3);
const regions = DEFAULT_REGIONS.map((r) => r.regionId);
const profileDir = process.env.BENCH_PASS_PROFILE_DIR;
delete process.env.BENCH_PASS_PROFILE_DIR;
const emu = await startEmulatorProcess({ accounts, regions, imagesPerRegion: 15, latencyMs: 100 });
const db = await createBenchDatabase();
try {
  const input = { databaseUrl: db.url, emulatorUrl: emu.url, keys: emu.accounts, concurrency: DEFAULT_SYNC_CONCURRENCY, callsPerSecond: 5, runs: 1 };
  const line = (label: string, r: Awaited<ReturnType<typeof runSyncChild>>): void => {
    const run = r.runs[0];
    if (run === undefined) throw new Error('sync child reported no run');
    process.stdout.write(`${label}: ${run.status}, ${run.regions} regions, wall ${(run.ms / 1000).toFixed(1)} s, process CPU ${(run.cpuMs / 1000).toFixed(2)} s = `
      + `${(run.cpuMs / run.regions).toFixed(3)} ms/region, peak RSS ${(r.maxRssBytes / 2 ** 20).toFixed(0)} MB, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  };
  line('cold', await runSyncChild(input));
  if (profileDir !== undefined) process.env.BENCH_PASS_PROFILE_DIR = profileDir;
  for (let i = 1; i <= warmRuns; i += 1) line(`warm ${i}`, await runSyncChild(input));
} finally {
  await db.drop();
  await emu.stop();
}
