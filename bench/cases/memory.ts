/**
 * Case 4, memory: peak RSS of a sync of N small and N large images (one region each), each by the
 * COMPILED CLI (`node dist/src/cli/main.js sync`, built first) in a fresh process with a fresh
 * database, from process.resourceUsage().maxRSS at its exit.
 */
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/database.js';
import { createBenchDatabase } from '../lib/bench-database.js';
import { judge, round, type CaseResult } from '../lib/case-result.js';
import { runCompiledCli } from '../lib/compiled-cli.js';
import { startEmulatorProcess } from '../lib/emulator-process.js';

/** The goal of issue 12 (compiled CLI, 100,000 images). */
const LIMIT_MB = 200;

interface PeakRun {
  maxRssBytes: number;
  baselineRssBytes: number;
  ms: number;
}

export interface MemoryOptions {
  small: number;
  large: number;
}

const MB = 2 ** 20;

async function peakOf(images: number): Promise<PeakRun> {
  const region = 'cn-shanghai';
  const emu = await startEmulatorProcess({ accounts: 1, regions: [region], imagesPerRegion: images, latencyMs: 0 });
  const db = await createBenchDatabase();
  try {
    const key = emu.accounts[0];
    if (!key) throw new Error('emulator has no account');
    const start = performance.now();
    const res = await runCompiledCli(['sync'], {
      DATABASE_URL: db.url, SWAS_ENDPOINT: emu.url, SWAS_REGIONS: region, LOG_LEVEL: 'silent',
      ALIBABA_CLOUD_ACCESS_KEY_ID: key.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: key.accessKeySecret,
    });
    const ms = performance.now() - start;
    // Judged from the database, not the CLI's output format: the run succeeded and stored every image.
    const [row] = await queryRows<{ status: string | null; images: number }>(db.handle.db, sql`
      select (select status from swas.sync_runs order by started_at desc limit 1) as status,
             (select count(*)::int from swas.custom_images) as images`);
    if (row?.status !== 'succeeded' || row.images !== images) {
      throw new Error(`memory sync of ${images} failed: ${JSON.stringify(row)} ${res.stdout.slice(0, 300)}`);
    }
    return { maxRssBytes: res.maxRssBytes, baselineRssBytes: res.startRssBytes, ms };
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
    title: `Memory: peak RSS of the compiled CLI's sync of ${opts.small.toLocaleString('en-US')} and of ${opts.large.toLocaleString('en-US')} images (fresh process each)`,
    figures: [
      judge({
        metric: `peak RSS, ${opts.large.toLocaleString('en-US')} images`,
        value: round(largeMb, 1), unit: 'MB',
        baseline: { label: 'limit (compiled CLI)', value: LIMIT_MB, unit: 'MB' },
        ratio: round(largeMb / LIMIT_MB, 2), goal: { op: '<', target: 1 },
      }),
      judge({
        metric: `peak RSS growth ${opts.small.toLocaleString('en-US')} -> ${opts.large.toLocaleString('en-US')} images`,
        value: round(largeMb, 1), unit: 'MB',
        baseline: { label: `peak RSS, ${opts.small.toLocaleString('en-US')} images`, value: round(smallMb, 1), unit: 'MB' },
        ratio: round(largeMb / smallMb, 2), goal: { op: '<=', target: 1.2 },
      }),
    ],
    details: {
      small: { images: opts.small, peakRssMb: round(smallMb, 1), baselineRssMb: round(small.baselineRssBytes / MB, 1), ms: round(small.ms, 0) },
      large: { images: opts.large, peakRssMb: round(largeMb, 1), baselineRssMb: round(large.baselineRssBytes / MB, 1), ms: round(large.ms, 0) },
    },
    notes: [
      'Peak RSS is the whole CLI process (node dist/src/cli/main.js sync), Node and every loaded module included; the RSS right after Node started is in the details (baselineRssMb).',
    ],
  };
}
