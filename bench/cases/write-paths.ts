/**
 * Opt-in (`--only write-paths`, or with `--profile`): the persist step's options measured on the
 * same synced rows; the figures behind the suggestions in docs/BENCHMARKS.md.
 */
import { createBenchDatabase } from '../lib/bench-database.js';
import { round, type CaseResult } from '../lib/case-result.js';
import { startEmulatorProcess } from '../lib/emulator-process.js';
import { runSyncChild } from '../lib/sync-child.js';
import { compareWritePaths } from '../lib/write-paths.js';

export async function writePathsCase(opts: { images: number }): Promise<CaseResult> {
  const region = 'eu-central-1';
  const emu = await startEmulatorProcess({ accounts: 1, regions: [region], imagesPerRegion: opts.images, latencyMs: 0 });
  const db = await createBenchDatabase();
  const empty = await createBenchDatabase();
  try {
    await runSyncChild({ databaseUrl: db.url, emulatorUrl: emu.url, keys: emu.accounts, regions: [region], concurrency: 1 });
    const timings = await compareWritePaths(db.handle.db, db.url, empty.handle.db, opts.images);
    const base = timings[0]!;
    return {
      id: 'write-paths',
      title: `Write paths for ${opts.images.toLocaleString('en-US')} image rows into an empty identical table, one transaction each`,
      figures: timings.map((t) => ({
        metric: t.path,
        value: round(t.rowsPerSecond, 0), unit: 'rows/s',
        baseline: { label: 'drizzle values() path', value: round(base.rowsPerSecond, 0), unit: 'rows/s' },
        ratio: round(t.rowsPerSecond / base.rowsPerSecond, 2),
      })),
      details: { timings: timings.map((t) => ({ ...t, ms: round(t.ms, 0), clientCpuMs: round(t.clientCpuMs, 0), rowsPerSecond: round(t.rowsPerSecond, 0) })) },
      notes: ['Client CPU is this process\'s time while writing (query building, serialization); the rest of the wall time is the server and the wire.'],
    };
  } finally {
    await empty.drop();
    await db.drop();
    await emu.stop();
  }
}
