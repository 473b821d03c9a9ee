/**
 * The unchanged-region fast path: after a COMPLETE listing, one statement (the database function
 * swas.record_unchanged_region_digests, migrations/0007) compares the digests of the listed
 * items (raw-digest.ts: SHA-256 of each item's jsonb text) with the digests Postgres keeps of the
 * region's stored present rows (custom_images.raw_digest) and, if the two sorted lists are equal,
 * records the region's outcome, all under the region's advisory lock. Nothing is normalized or
 * diffed for a region that did not change, and about 1 KB is sent instead of the items' 20 KB.
 * When it answers false nothing was written and the full path runs (which also refuses a stale
 * listing). Concurrent regions' records share one statement and one commit, and their clock
 * stamps another (statement-batcher.ts, migrations/0009), each region still decided under its own lock.
 *
 * Why this is exact: a stored row was written from its raw item by the full path, and the full
 * path is idempotent (re-applying the same item changes nothing), so an identical item means an
 * empty diff; equal digests mean identical items (raw-digest.ts), and an item stored under another
 * region, deleted, missing or different has no equal digest among the region's present rows.
 */
import { preparedFlags, preparedRows } from '../db/prepared-rows.js';
import { isStatementError } from '../db/find-database-error.js';
import { StatementBatcher } from '../db/statement-batcher.js';
import { ClockEstimate } from '../db/clock-estimate.js';
import type { Db } from '../db/database.js';
import { rawDigest } from './raw-digest.js';
import type { HeldListing } from './types.js';

/** A listing's stamp, and whether its region had been recorded when the stamp was read. */
export interface ListingStamp {
  at: Date;
  /**
   * False when the region has no `region_states` row: it has never been recorded, so the
   * unchanged-region record can only answer false and is not sent (a first sync's regions go to
   * the first-listing record, record-first-listing.ts, or the full path). True when unknown; a
   * row that appears meanwhile only means the full path runs for a region that might have been
   * recorded as unchanged, which it does right.
   */
  regionKnown: boolean;
}

interface Region { account: string; regionId: string }
interface RecordArgument {
  runId: string; account: string; regionId: string; listingStartedAt: string; startedAt: string;
  digests: string; pages: number; apiCalls: number; attempts: number;
}

const CLOCK = 'select clock_timestamp() as now';
// The clock is read once for the batch (every request in it was made before the statement was
// sent), with whether each stamped region was ever recorded. The answer comes as text of 't'/'f'
// in request order, which both drivers return alike (no array parsing).
const CLOCKS = `select clock_timestamp() as now, (select coalesce(string_agg(case when s.account is null then 'f' else 't' end, '' order by k.o), '')
    from jsonb_array_elements($1::jsonb) with ordinality as k(v, o)
    left join swas.region_states s on s.account = k.v->>'account' and s.region_id = k.v->>'regionId') as known`;
// The records go to migrations/0009 in one commit, answered the same way.
const RECORDS = `select array_to_string(swas.record_unchanged_regions_digests($1::jsonb), '') as recorded`;

/**
 * Clocks and records go in two statements, each batched on its own (one of each in flight). Why
 * not one statement for both (as before): a stamp is read while its region holds a call slot,
 * right before its first request, and a record batch carries a commit. Sharing one statement, a
 * stamp waited for the record batch in flight ahead of it: 7-21 ms of every 100 ms call's slot at
 * 200 accounts (issue 24). A clock batch commits nothing and takes about a millisecond.
 */
interface HotBatchers {
  clocks: StatementBatcher<Region, ListingStamp>;
  records: StatementBatcher<RecordArgument, boolean>;
  /** The clock batches' readings, for stamps that need no round trip (clock-estimate.ts). */
  estimate: ClockEstimate;
}

const batchers = new WeakMap<Db, HotBatchers>();

function batchersFor(db: Db): HotBatchers {
  let found = batchers.get(db);
  if (!found) {
    const estimate = new ClockEstimate();
    found = {
      clocks: new StatementBatcher((regions) => sendClocks(db, estimate, regions), 1, 64, isStatementError),
      records: new StatementBatcher((records) => preparedFlags(db, RECORDS, records), 1, 64, isStatementError),
      estimate,
    };
    batchers.set(db, found);
  }
  return found;
}

async function sendClocks(db: Db, estimate: ClockEstimate, regions: readonly Region[]): Promise<ListingStamp[]> {
  const sentAt = performance.now();
  const [row] = await preparedRows<{ now: Date | string; known: string }>(db, CLOCKS, [JSON.stringify(regions)]);
  const receivedAt = performance.now();
  if (!row) throw new Error('database returned no row');
  const at = row.now instanceof Date ? row.now : new Date(row.now);
  estimate.observe(at, sentAt, receivedAt);
  const known = String(row.known ?? '');
  if (known.length !== regions.length) throw new Error(`database answered ${known.length} clocks for ${regions.length}`);
  return regions.map((_, i) => ({ at, regionKnown: known[i] !== 'f' }));
}


/** True when the region was unchanged and its outcome is recorded; false when nothing was written. */
export async function recordUnchangedRegion(db: Db, input: HeldListing): Promise<boolean> {
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
  return batchersFor(db).records.submit({
    runId: input.runId, account: input.account, regionId: input.regionId,
    listingStartedAt: input.listingStartedAt.toISOString(), startedAt: input.startedAt.toISOString(),
    digests: digests.join(''), pages: input.pages, apiCalls: input.apiCalls, attempts: input.attempts,
  });
}

/**
 * A listing's stamp and whether its region was ever recorded, asked for right before the
 * listing's first request.
 * - `at`: the database's clock, estimated from a recent reading when there is one (no round trip:
 *   clock-estimate.ts says why that is never later than the clock and is safe for the fence), else
 *   read by a statement sent after this call (never one already in flight), shared with whatever
 *   other regions asked meanwhile.
 * - `regionKnown`: read by that same batched statement, which is sent either way; it is needed only
 *   once the listing ended, so it is read while the call is in flight. When the statement fails,
 *   so does `regionKnown`, and with it the attempt, as a failed stamp did: read as "unknown" it
 *   sent the record after it, which on a path gone silent waited a second deadline (a region
 *   synced 60 s after the silence began instead of failing within 40 s: the silent-path scenario).
 */
export function listingClock(db: Db, region: { account: string; regionId: string }): { at: Promise<Date>; regionKnown: Promise<boolean> } {
  const hot = batchersFor(db);
  const estimate = hot.estimate.now();
  const answer = hot.clocks.submit({ account: region.account, regionId: region.regionId });
  const regionKnown = answer.then((stamp) => stamp.regionKnown);
  // Awaited only once the listing ended: a listing that failed first never reads it.
  regionKnown.catch(() => {});
  if (estimate !== null) return { at: Promise.resolve(estimate), regionKnown };
  return { at: answer.then((stamp) => { hot.estimate.gave(stamp.at); return stamp.at; }), regionKnown };
}

/** The database's clock, prepared, on this connection or transaction alone. */
export async function databaseClock(db: Db): Promise<Date> {
  const [row] = await preparedRows<{ now: Date | string }>(db, CLOCK, []);
  if (!row) throw new Error('database returned no clock');
  return row.now instanceof Date ? row.now : new Date(row.now);
}
