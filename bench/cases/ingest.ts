/**
 * Case 3, ingest: one region with N images (N/100 pages, latency off), synced end to end (SDK ->
 * normalize -> diff -> persist) in a fresh process, next to (a) the raw limit, the same image rows
 * loaded by one COPY into an identical table, and (b) a naive per-row drizzle upsert.
 */
import { createBenchDatabase } from '../lib/bench-database.js';
import { judge, round, type CaseResult } from '../lib/case-result.js';
import { copyBaseline } from '../lib/copy-baseline.js';
import { startEmulatorProcess } from '../lib/emulator-process.js';
import { naiveOrmUpsert } from '../lib/naive-orm-upsert.js';
import { runSyncChild } from '../lib/sync-child.js';

export interface IngestOptions {
  images: number;
  /** Rows the naive upsert is timed on (then extrapolated to `images`). */
  naiveSample: number;
  region?: string;
}

const HISTORY_TABLES = ['custom_images', 'custom_image_tags', 'custom_image_versions', 'image_events'] as const;

export async function ingestCase(opts: IngestOptions): Promise<CaseResult> {
  const region = opts.region ?? 'cn-hangzhou';
  const emu = await startEmulatorProcess({ accounts: 1, regions: [region], imagesPerRegion: opts.images, latencyMs: 0 });
  const db = await createBenchDatabase();
  const naiveDb = await createBenchDatabase();
  try {
    const sync = await runSyncChild({ databaseUrl: db.url, emulatorUrl: emu.url, keys: emu.accounts, regions: [region], concurrency: 1 });
    const run = sync.runs[0];
    if (!run || run.status !== 'succeeded' || run.images !== opts.images) {
      throw new Error(`ingest sync did not list every image: ${JSON.stringify(run)}`);
    }
    const syncRate = opts.images / (run.ms / 1000);

    const copies = await copyBaseline(db.url, HISTORY_TABLES);
    const imagesCopy = copies[0]!;
    const copyRate = imagesCopy.rows / (imagesCopy.ms / 1000);
    const allCopyMs = copies.reduce((n, c) => n + c.ms, 0);
    const allRows = copies.reduce((n, c) => n + c.rows, 0);

    const naive = await naiveOrmUpsert(db.handle.db, naiveDb.handle.db, Math.min(opts.naiveSample, opts.images));

    return {
      id: 'ingest',
      title: `Ingest: 1 region, ${opts.images.toLocaleString('en-US')} images (${Math.ceil(opts.images / 100)} pages), latency off`,
      figures: [
        judge({
          metric: 'end-to-end images/s vs raw COPY of the image rows',
          value: round(syncRate, 0), unit: 'images/s',
          baseline: { label: 'one COPY into an identical table', value: round(copyRate, 0), unit: 'rows/s' },
          ratio: round(syncRate / copyRate, 3), goal: { op: '>=', target: 0.5 },
        }),
        judge({
          metric: 'end-to-end images/s vs naive per-row drizzle upsert, one transaction',
          value: round(syncRate, 0), unit: 'images/s',
          baseline: { label: `naive upsert in one tx (timed on ${naive.oneTransaction.rows} rows, extrapolated)`, value: round(naive.oneTransaction.rowsPerSecond, 0), unit: 'rows/s' },
          ratio: round(syncRate / naive.oneTransaction.rowsPerSecond, 2), goal: { op: '>=', target: 10 },
        }),
        {
          metric: 'end-to-end images/s vs naive per-row drizzle upsert, autocommit',
          value: round(syncRate, 0), unit: 'images/s',
          baseline: { label: `naive upsert, a transaction per row (${naive.autocommit.rows} rows, extrapolated)`, value: round(naive.autocommit.rowsPerSecond, 0), unit: 'rows/s' },
          ratio: round(syncRate / naive.autocommit.rowsPerSecond, 2),
        },
        {
          metric: 'end-to-end vs COPY of every row the sync wrote (images, tags, versions, events)',
          value: round(run.ms / 1000, 2), unit: 's',
          baseline: { label: `one COPY per table, ${allRows.toLocaleString('en-US')} rows`, value: round(allCopyMs / 1000, 2), unit: 's' },
          ratio: round(allCopyMs / run.ms, 3),
        },
      ],
      details: {
        images: opts.images, pages: Math.ceil(opts.images / 100), syncMs: round(run.ms, 1), syncImagesPerSecond: round(syncRate, 0),
        copies: copies.map((c) => ({ ...c, ms: round(c.ms, 1) })),
        naive: Object.fromEntries(Object.entries(naive).map(([k, t]) => [k, {
          rows: t.rows, ms: round(t.ms, 1), rowsPerSecond: round(t.rowsPerSecond, 0), extrapolatedMsForAll: round(opts.images / t.rowsPerSecond * 1000, 0),
        }])),
        syncPeakRssMb: round(sync.maxRssBytes / 2 ** 20, 1),
      },
      notes: [
        'End to end = runSync in a fresh process: SDK call + signing + JSON, zod normalize, content-hash diff, one transaction writing images, tags, versions and events; the emulator runs in a process of its own.',
        `The naive baselines are timed on ${naive.oneTransaction.rows} rows and extrapolated (one round trip per row, so the rate is flat).`,
        'The goal compares with a COPY of the image rows only (as specified); the sync also writes tags, versions and events, so the third line compares with a COPY of all of them.',
      ],
    };
  } finally {
    await naiveDb.drop();
    await db.drop();
    await emu.stop();
  }
}
