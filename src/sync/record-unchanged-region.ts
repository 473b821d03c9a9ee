/**
 * The unchanged-region fast path: after a COMPLETE listing, one statement (the database function
 * swas.record_unchanged_region_digests, migrations/0007) compares the digests of the listed
 * items (raw-digest.ts: SHA-256 of each item's jsonb text) with the digests Postgres keeps of the
 * region's stored present rows (custom_images.raw_digest) and, if the two sorted lists are equal,
 * records the region's outcome, all under the region's advisory lock. Nothing is normalized or
 * diffed for a region that did not change, and about 1 KB is sent instead of the items' 20 KB.
 * When it answers false nothing was written and the full path runs (which also refuses a stale
 * listing).
 *
 * Why this is exact: a stored row was written from its raw item by the full path, and the full
 * path is idempotent (re-applying the same item changes nothing), so an identical item means an
 * empty diff; equal digests mean identical items (raw-digest.ts), and an item stored under another
 * region, deleted, missing or different has no equal digest among the region's present rows.
 */
import { preparedRows } from '../db/prepared-rows.js';
import type { Db } from '../db/database.js';
import { rawDigest } from './raw-digest.js';
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

const RECORD_UNCHANGED = 'select swas.record_unchanged_region_digests($1, $2, $3, $4, $5, $6, $7, $8, $9) as recorded';

/** True when the region was unchanged and its outcome is recorded; false when nothing was written. */
export async function recordUnchangedRegion(db: Db, input: UnchangedRegionInput): Promise<boolean> {
  const digests: string[] = [];
  for (const item of input.items) {
    let digest: string | null;
    try {
      digest = rawDigest(item.raw);
    } catch {
      digest = null; // nested too deeply to walk: the full path refuses the item (MalformedResponse)
    }
    // No digest (nothing JSON can carry lacks one): not decided here, the full path runs.
    if (digest === null) return false;
    digests.push(digest);
  }
  // Sorted as Postgres sorts the stored digests (bytewise; lowercase hex keeps that order).
  digests.sort();
  const [row] = await preparedRows<{ recorded: boolean }>(db, RECORD_UNCHANGED, [
    input.runId, input.account, input.regionId, input.listingStartedAt.toISOString(), input.startedAt.toISOString(),
    digests.join(''), input.pages, input.apiCalls, input.attempts,
  ]);
  return row?.recorded === true;
}

/** The database's clock, prepared: a listing's start stamp costs one short round trip. */
export async function databaseClock(db: Db): Promise<Date> {
  const [row] = await preparedRows<{ now: Date | string }>(db, 'select clock_timestamp() as now', []);
  if (!row) throw new Error('database returned no clock');
  return row.now instanceof Date ? row.now : new Date(row.now);
}
