/**
 * A region's first listing in one statement (the database function swas.record_first_listing,
 * migrations/0012). A complete listing of a region never recorded, when no listed id is stored
 * for the account, is all new images: the diff is known without reading anything, so the process
 * normalizes and diffs it as the full path does (the same normalizer, content hash and diff) and
 * sends the rows in one prepared call. The full path spent about 14 unprepared statements on it,
 * two round trips each: a cold fill cost 10-20 ms of CPU a region of 15 images (issue 24).
 *
 * When the function answers false nothing was written and the caller runs the full path: the
 * region was recorded (or failed) since its listing began, or the account holds one of the ids
 * (an image moved between regions, or one deleted coming back). An id another region inserted
 * after the function checked raises unique_violation, taken the same way. Concurrent regions'
 * first listings share one statement and one commit (statement-batcher.ts), each still decided
 * under its own lock.
 */
import { findDatabaseError, isStatementError } from '../db/find-database-error.js';
import { preparedFlags } from '../db/prepared-rows.js';
import { customImages } from '../db/schema.js';
import { StatementBatcher } from '../db/statement-batcher.js';
import type { Db } from '../db/database.js';
import { diffImages, emptyCounts } from './diff-region.js';
import { fieldsToColumns } from './image-row.js';
import { columnNamedRow } from './insert-json-rows.js';
import { normalizeImage } from './normalize-image.js';
import type { HeldListing } from './types.js';
import type { EventKind } from '../domain/vocabulary.js';

/**
 * Items a first listing may have to go this way. A batch of regions is one statement: this bounds
 * its size (16 regions x 250 items of about 1 KB). A larger region takes the full path, whose
 * statements are already large enough that their number does not matter.
 */
export const FIRST_LISTING_MAX_ITEMS = 250;

interface FirstListingArgument {
  runId: string; account: string; regionId: string; listingStartedAt: string; startedAt: string;
  images: Array<Record<string, unknown>>; pages: number; apiCalls: number; attempts: number;
}

const RECORDS = `select array_to_string(swas.record_first_listings($1::jsonb), '') as recorded`;

const batchers = new WeakMap<Db, StatementBatcher<FirstListingArgument, boolean>>();

function batcherFor(db: Db): StatementBatcher<FirstListingArgument, boolean> {
  let found = batchers.get(db);
  if (!found) {
    // One in flight, as the clocks and the unchanged records: the pool keeps three connections
    // free of region transactions for these statements (transaction-gate.ts). A second in flight
    // made no difference to the fan-out bench's cold fill (2.1-2.3x of the ideal bound either way).
    found = new StatementBatcher((regions) => preparedFlags(db, RECORDS, regions), 1, 16, isStatementError);
    batchers.set(db, found);
  }
  return found;
}


/**
 * The region's event counts when its first listing is recorded; null when nothing was written
 * and the full path must run. A malformed item throws MalformedResponseError, as the full path would.
 */
export async function recordFirstListing(db: Db, input: HeldListing): Promise<Record<EventKind, number> | null> {
  const observed = input.items.map((item) => item.observed ?? normalizeImage(item.raw, input.regionId));
  const diff = diffImages([], observed);
  const images = diff.writes.map((w) => ({
    ...columnNamedRow(customImages, {
      imageId: w.image.imageId, ...fieldsToColumns(w.image.fields), raw: w.image.raw, contentHash: w.contentHash, tagsKnown: w.tagsKnown,
    }),
    tags: w.image.tags,
  }));
  let recorded: boolean;
  try {
    recorded = await batcherFor(db).submit({
      runId: input.runId, account: input.account, regionId: input.regionId,
      listingStartedAt: input.listingStartedAt.toISOString(), startedAt: input.startedAt.toISOString(),
      images, pages: input.pages, apiCalls: input.apiCalls, attempts: input.attempts,
    });
  } catch (error) {
    // Another region of the account inserted a listed id after the function looked (see above).
    if (findDatabaseError(error)?.code === '23505') return null;
    throw error;
  }
  if (!recorded) return null;
  const counts = emptyCounts();
  for (const e of diff.events) counts[e.kind]++;
  return counts;
}
