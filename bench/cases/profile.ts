/**
 * The ingest path under `node --cpu-prof`: one region of N images synced in a fresh child process
 * (the emulator runs in its own, unprofiled), summarized as self time per function and module.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBenchDatabase } from '../lib/bench-database.js';
import { round, type CaseResult } from '../lib/case-result.js';
import { summarizeCpuProfile } from '../lib/cpu-profile-summary.js';
import { startEmulatorProcess } from '../lib/emulator-process.js';
import { runSyncChild } from '../lib/sync-child.js';

export async function profileCase(opts: { images: number }): Promise<CaseResult> {
  const region = 'cn-beijing';
  const emu = await startEmulatorProcess({ accounts: 1, regions: [region], imagesPerRegion: opts.images, latencyMs: 0 });
  const db = await createBenchDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'swas-bench-prof-'));
  try {
    const res = await runSyncChild(
      { databaseUrl: db.url, emulatorUrl: emu.url, keys: emu.accounts, regions: [region], concurrency: 1 },
      ['--cpu-prof', '--cpu-prof-dir', dir],
    );
    const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no .cpuprofile written');
    const summary = await summarizeCpuProfile(join(dir, file));
    const syncMs = res.runs[0]?.ms ?? 0;
    return {
      id: 'profile',
      title: `CPU profile of the ingest path: 1 region, ${opts.images.toLocaleString('en-US')} images (node --cpu-prof, sync process only)`,
      figures: summary.modules.slice(0, 8).map((m) => ({ metric: `self time in ${m.name}`, value: m.ms, unit: 'ms', ratio: round(m.percent / 100, 3) })),
      details: { images: opts.images, syncMs: round(syncMs, 0), profiledProcessMs: summary.totalMs, topFunctions: summary.functions, modules: summary.modules },
      notes: ['Ratios are shares of the child process\'s whole profile (start-up and module loading included).'],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await db.drop();
    await emu.stop();
  }
}
