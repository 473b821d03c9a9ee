/**
 * The unchanged-region fast path: after a COMPLETE listing, one statement (the database function
 * swas.record_unchanged_region, migrations/0003) compares the listed items, as received, with
 * the stored raw items of the region and, if every id and item matches and nothing stored is
 * missing, records the region's outcome, all under the region's advisory lock. Nothing is
 * normalized or diffed for a region that did not change. When it answers false nothing was
 * written and the full path runs (which also refuses a stale listing).
 *
 * Why this is exact: a stored row was written from its raw item by the full path, and the full
 * path is idempotent (re-applying the same item changes nothing), so an identical item means an
 * empty diff; an item stored under another region, deleted, missing or different falls through.
 */
import { preparedRows } from '../db/prepared-rows.js';
import type { Db } from '../db/database.js';
import type { ListedItem } from './types.js';

export interface UnchangedRegionInput {
  runId: string;
  account: string;
  regionId: string;
  listingStartedAt: Date;
  startedAt: Date;
  items: readonly ListedItem[];
  pages: number;
  apiCalls: number;
  attempts: number;
}

const RECORD_UNCHANGED = 'select swas.record_unchanged_region($1, $2, $3, $4, $5, $6, $7, $8, $9) as recorded';

/** True when the region was unchanged and its outcome is recorded; false when nothing was written. */
export async function recordUnchangedRegion(db: Db, input: UnchangedRegionInput): Promise<boolean> {
  const [row] = await preparedRows<{ recorded: boolean }>(db, RECORD_UNCHANGED, [
    input.runId, input.account, input.regionId, input.listingStartedAt.toISOString(), input.startedAt.toISOString(),
    JSON.stringify(input.items.map((i) => i.raw)), input.pages, input.apiCalls, input.attempts,
  ]);
  return row?.recorded === true;
}

/** The database's clock, prepared: a listing's start stamp costs one short round trip. */
export async function databaseClock(db: Db): Promise<Date> {
  const [row] = await preparedRows<{ now: Date | string }>(db, 'select clock_timestamp() as now', []);
  if (!row) throw new Error('database returned no clock');
  return row.now instanceof Date ? row.now : new Date(row.now);
}
