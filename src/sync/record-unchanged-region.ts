/**
 * The unchanged-region fast path: after a COMPLETE listing, one statement (the database function
 * swas.record_unchanged_region_digests, migrations/0007) compares the digests of the listed
 * items (raw-digest.ts: SHA-256 of each item's jsonb text) with the digests Postgres keeps of the
 * region's stored present rows (custom_images.raw_digest) and, if the two sorted lists are equal,
 * records the region's outcome, all under the region's advisory lock. Nothing is normalized or
 * diffed for a region that did not change, and about 1 KB is sent instead of the items' 20 KB.
 * When it answers false nothing was written and the full path runs (which also refuses a stale
 * listing). Concurrent regions' records and clock stamps share one statement and one commit
 * (statement-batcher.ts, migrations/0009), each region still decided under its own lock.
 *
 * Why this is exact: a stored row was written from its raw item by the full path, and the full
 * path is idempotent (re-applying the same item changes nothing), so an identical item means an
 * empty diff; equal digests mean identical items (raw-digest.ts), and an item stored under another
 * region, deleted, missing or different has no equal digest among the region's present rows.
 */
import { preparedRows } from '../db/prepared-rows.js';
import { findDatabaseError } from '../db/find-database-error.js';
import { StatementBatcher } from '../db/statement-batcher.js';
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

/**
 * What one round trip of the hot path carries for one region: its listing's clock stamp, or its
 * unchanged-region record. Concurrent regions' requests share a statement (statement-batcher.ts).
 */
type HotRequest = { kind: 'clock'; region: { account: string; regionId: string } } | { kind: 'record'; region: RecordArgument };
interface RecordArgument {
  runId: string; account: string; regionId: string; listingStartedAt: string; startedAt: string;
  digests: string; pages: number; apiCalls: number; attempts: number;
}

/** A listing's stamp, and whether its region had been recorded when the stamp was read. */
export interface ListingStamp {
  at: Date;
  /**
   * False when the region has no `region_states` row: it has never been recorded, so the
   * unchanged-region record can only answer false and is not sent (a first sync's regions go
   * straight to the full path). True when unknown; a row that appears meanwhile only means the
   * full path runs for a region that might have been recorded as unchanged, which it does right.
   */
  regionKnown: boolean;
}

const CLOCK = 'select clock_timestamp() as now';
// One statement for any mix: the clock is read once for the batch (every request in it was made
// before the statement was sent), with whether each stamped region was ever recorded, and the
// records go to migrations/0009 in one commit. Both answers come as text of 't'/'f' in request
// order, which both drivers return alike (no array parsing).
const KNOWN = `(select coalesce(string_agg(case when s.account is null then 'f' else 't' end, '' order by k.o), '')
    from jsonb_array_elements($1::jsonb) with ordinality as k(v, o)
    left join swas.region_states s on s.account = k.v->>'account' and s.region_id = k.v->>'regionId')`;
const CLOCKS = `select clock_timestamp() as now, ${KNOWN} as known`;
const CLOCKS_AND_RECORDS = `select clock_timestamp() as now, ${KNOWN} as known, array_to_string(swas.record_unchanged_regions_digests($2::jsonb), '') as recorded`;

const batchers = new WeakMap<Db, StatementBatcher<HotRequest, ListingStamp | boolean>>();

function batcherFor(db: Db): StatementBatcher<HotRequest, ListingStamp | boolean> {
  let batcher = batchers.get(db);
  if (!batcher) {
    batcher = new StatementBatcher((requests) => sendHotBatch(db, requests), 1, 64, isStatementError);
    batchers.set(db, batcher);
  }
  return batcher;
}

async function sendHotBatch(db: Db, requests: readonly HotRequest[]): Promise<Array<ListingStamp | boolean>> {
  const clocks = requests.flatMap((r) => (r.kind === 'clock' ? [r.region] : []));
  const records = requests.flatMap((r) => (r.kind === 'record' ? [r.region] : []));
  const [row] = records.length === 0
    ? await preparedRows<{ now: Date | string; known: string; recorded?: string }>(db, CLOCKS, [JSON.stringify(clocks)])
    : await preparedRows<{ now: Date | string; known: string; recorded?: string }>(db, CLOCKS_AND_RECORDS, [JSON.stringify(clocks), JSON.stringify(records)]);
  if (!row) throw new Error('database returned no row');
  const at = row.now instanceof Date ? row.now : new Date(row.now);
  const known = String(row.known ?? '');
  const recorded = String(row.recorded ?? '');
  if (known.length !== clocks.length || recorded.length !== records.length) {
    throw new Error(`database answered ${known.length} clocks and ${recorded.length} records for ${clocks.length} and ${records.length}`);
  }
  let clock = 0;
  let record = 0;
  return requests.map((r) => (r.kind === 'clock' ? { at, regionKnown: known[clock++] !== 'f' } : recorded[record++] === 't'));
}

/**
 * A batch is re-sent request by request only for an error the server raised for the statement (a
 * SQLSTATE outside connection exceptions, operator intervention and insufficient resources): one
 * region's record may be at fault. A lost connection fails every request of the batch as it is.
 */
function isStatementError(error: unknown): boolean {
  const info = findDatabaseError(error);
  return info !== undefined && /^[0-9A-Z]{5}$/.test(info.code) && !/^(08|53|57)/.test(info.code);
}

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
  const recorded = await batcherFor(db).submit({ kind: 'record', region: {
    runId: input.runId, account: input.account, regionId: input.regionId,
    listingStartedAt: input.listingStartedAt.toISOString(), startedAt: input.startedAt.toISOString(),
    digests: digests.join(''), pages: input.pages, apiCalls: input.apiCalls, attempts: input.attempts,
  } });
  return recorded === true;
}

/**
 * The database's clock for a listing's stamp, read by a statement sent after this call (never one
 * already in flight), shared with whatever other regions asked meanwhile; with whether the region
 * was ever recorded.
 */
export async function listingClock(db: Db, region: { account: string; regionId: string }): Promise<ListingStamp> {
  const stamp = await batcherFor(db).submit({ kind: 'clock', region: { account: region.account, regionId: region.regionId } });
  if (typeof stamp === 'boolean') throw new Error('database returned no clock');
  return stamp;
}

/** The database's clock, prepared, on this connection or transaction alone. */
export async function databaseClock(db: Db): Promise<Date> {
  const [row] = await preparedRows<{ now: Date | string }>(db, CLOCK, []);
  if (!row) throw new Error('database returned no clock');
  return row.now instanceof Date ? row.now : new Date(row.now);
}
