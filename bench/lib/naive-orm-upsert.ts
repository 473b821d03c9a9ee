/**
 * The naive baseline of ingest: what an ORM user writes first, one awaited drizzle upsert per
 * image (`insert ... values (row) on conflict do update set <the row>`), into an identical table
 * in a database of its own. Timed on a sample of the synced rows and extrapolated (per-row
 * statements cost the same for the 1st and the 100,000th row: one round trip each).
 *
 * Two variants: each statement in its own transaction (autocommit, the usual first version: one
 * WAL flush per row), and all of them inside one transaction (the kinder baseline, judged against).
 */
import { customImages } from '../../src/db/schema.js';
import type { Db } from '../../src/db/database.js';
import { nowMs } from './timing.js';

export interface NaiveTiming {
  rows: number;
  ms: number;
  rowsPerSecond: number;
}

export interface NaiveTimings {
  autocommit: NaiveTiming;
  oneTransaction: NaiveTiming;
}

type ImageRow = typeof customImages.$inferSelect;

export async function naiveOrmUpsert(source: Db, target: Db, sample: number): Promise<NaiveTimings> {
  const rows = await source.select().from(customImages).limit(sample);
  const autocommit = await timed(rows.length, async () => {
    for (const row of rows) await upsert(target, row);
  });
  // Emptied again so both variants insert into the same empty table.
  await target.delete(customImages);
  const oneTransaction = await timed(rows.length, () => target.transaction(async (tx) => {
    for (const row of rows) await upsert(tx, row);
  }));
  return { autocommit, oneTransaction };
}

async function upsert(db: Db, row: ImageRow): Promise<void> {
  // rawDigest is generated (Postgres computes it): neither inserted nor set.
  const { account: _a, imageId: _i, firstSeenAt: _f, rawDigest: _d, ...update } = row;
  await db.insert(customImages).values(row).onConflictDoUpdate({ target: [customImages.account, customImages.imageId], set: update });
}

async function timed(rows: number, fn: () => Promise<void>): Promise<NaiveTiming> {
  const start = nowMs();
  await fn();
  const ms = nowMs() - start;
  return { rows, ms, rowsPerSecond: rows / (ms / 1000) };
}
