/**
 * Case 4, memory: peak RSS of a sync of N small and N large images (one region each), each in a
 * fresh process with a fresh database, from process.resourceUsage().maxRSS at the end.
 */
import { createBenchDatabase } from '../lib/bench-database.js';
import { judge, round, type CaseResult } from '../lib/case-result.js';
import { startEmulatorProcess } from '../lib/emulator-process.js';
import { runSyncChild, type SyncChildResult } from '../lib/sync-child.js';

export interface MemoryOptions {
  small: number;
  large: number;
}

const MB = 2 ** 20;

async function peakOf(images: number): Promise<SyncChildResult> {
  const region = 'cn-shanghai';
  const emu = await startEmulatorProcess({ accounts: 1, regions: [region], imagesPerRegion: images, latencyMs: 0 });
  const db = await createBenchDatabase();
  try {
    const res = await runSyncChild({ databaseUrl: db.url, emulatorUrl: emu.url, keys: emu.accounts, regions: [region], concurrency: 1 });
    const run = res.runs[0];
    if (!run || run.status !== 'succeeded' || run.images !== images) throw new Error(`memory sync of ${images} failed: ${JSON.stringify(run)}`);
    return res;
  } finally {
    await db.drop();
    await emu.stop();
  }
}

export async function memoryCase(opts: MemoryOptions): Promise<CaseResult> {
  const small = await peakOf(opts.small);
  const large = await peakOf(opts.large);
  const smallMb = small.maxRssBytes / MB;
  const largeMb = large.maxRssBytes / MB;
  return {
    id: 'memory',
    title: `Memory: peak RSS of a sync of ${opts.small.toLocaleString('en-US')} and of ${opts.large.toLocaleString('en-US')} images (fresh process each)`,
    figures: [
      judge({
        metric: `peak RSS, ${opts.large.toLocaleString('en-US')} images`,
        value: round(largeMb, 1), unit: 'MB',
        baseline: { label: 'limit', value: 250, unit: 'MB' },
        ratio: round(largeMb / 250, 2), goal: { op: '<', target: 1 },
      }),
      judge({
        metric: `peak RSS growth ${opts.small.toLocaleString('en-US')} -> ${opts.large.toLocaleString('en-US')} images`,
        value: round(largeMb, 1), unit: 'MB',
        baseline: { label: `peak RSS, ${opts.small.toLocaleString('en-US')} images`, value: round(smallMb, 1), unit: 'MB' },
        ratio: round(largeMb / smallMb, 2), goal: { op: '<=', target: 1.2 },
      }),
    ],
    details: {
      small: { images: opts.small, peakRssMb: round(smallMb, 1), baselineRssMb: round(small.baselineRssBytes / MB, 1), ms: round(small.runs[0]?.ms ?? 0, 0) },
      large: { images: opts.large, peakRssMb: round(largeMb, 1), baselineRssMb: round(large.baselineRssBytes / MB, 1), ms: round(large.runs[0]?.ms ?? 0, 0) },
    },
    notes: [
      'Peak RSS is the whole child process, including Node, tsx and every loaded module (the baseline RSS before the sync is in the details).',
    ],
  };
}
