import type { Db } from '../db/database.js';
import { emptyCounts } from './diff-region.js';
import { describeHeldElsewhere } from './image-ownership.js';
import { recordRegionSync, recordSupersededListing } from './persist-region.js';
import { FIRST_LISTING_MAX_ITEMS, recordFirstListing } from './record-first-listing.js';
import { recordUnchangedRegion } from './record-unchanged-region.js';
import { ListingSupersededError, PRESENT_BATCH, RegionWriter, WRITE_BATCH } from './region-writer.js';
import type { RegionListing } from './types.js';
import type { EventKind } from '../domain/vocabulary.js';

export interface RegionSyncResult {
  account: string;
  regionId: string;
  status: 'succeeded' | 'incomplete' | 'failed';
  pages: number;
  apiCalls: number;
  images: number;
  counts: Record<EventKind, number>;
  error: { code: string; message: string } | null;
  /** Set when listed ids were left with the region that holds them (image-ownership.ts). */
  note?: string;
}

export interface RegionContext {
  runId: string;
  account: string;
  regionId: string;
  startedAt: Date;
  attempts?: number;
}

export interface WriteRegionOptions {
  /**
   * Try the unchanged-region statement first (default true). Off for listings built in memory
   * (applyListing), whose raw items need not be what their fields were normalized from.
   */
  fastPath?: boolean;
  /** Present rows compared at a time when looking for deletions (default PRESENT_BATCH; tests use a few). */
  presentBatchSize?: number;
  /**
   * Awaited once the listing ended, when the region is about to try the unchanged record (nothing
   * written yet, no transaction open): the caller hands back its call slot (region-admission.ts).
   * Not called for a region that goes straight to the full path.
   */
  listed?: () => Promise<void>;
}

/**
 * One region: let `list` stream the listing into the writer (which stamps the listing's start
 * with the database's clock right before its first request), then either record an unchanged
 * region, or a region's first listing, in one statement, or, in the region's transaction
 * (advisory lock held), write the changes, delete what a COMPLETE listing did not see
 * and record the region_syncs row, all or nothing. No transaction or lock is held across the API
 * calls of a small region; a listing older than one already written is refused, never written.
 */
export async function writeRegion(
  db: Db,
  ctx: RegionContext,
  list: (writer: RegionWriter) => Promise<RegionListing>,
  options: WriteRegionOptions = {},
): Promise<RegionSyncResult> {
  const writer = new RegionWriter(db, { runId: ctx.runId, account: ctx.account, regionId: ctx.regionId }, WRITE_BATCH, options.presentBatchSize ?? PRESENT_BATCH);
  const attempts = ctx.attempts ?? 1;
  const result = (listing: RegionListing, status: RegionSyncResult['status'], error: RegionSyncResult['error']): RegionSyncResult => {
    const note = describeHeldElsewhere(writer.heldElsewhere);
    return {
      account: ctx.account, regionId: ctx.regionId, status, pages: listing.pages, apiCalls: listing.apiCalls,
      images: listing.imageIds.size, counts: writer.counts, error, ...(note !== null ? { note } : {}),
    };
  };
  let listing: RegionListing | null = null;
  try {
    listing = await list(writer);
    const { complete } = listing.completeness;
    const items = writer.heldItems;
    const listingStartedAt = await writer.listingStartedAt();
    const whole = options.fastPath !== false && complete && items !== null ? items : null;
    if (whole !== null && await writer.regionKnown()) {
      // Only the unchanged record is likely left: the caller hands its call slot back first (a
      // changed region then writes holding a write permit instead). A region that goes straight
      // to its writes (a first sync, an incomplete or large listing) keeps its slot to the end,
      // so a cold fill, bound by writing, lists no faster than it writes.
      await options.listed?.();
      if (await recordUnchangedRegion(db, {
        runId: ctx.runId, account: ctx.account, regionId: ctx.regionId, listingStartedAt, startedAt: ctx.startedAt,
        items: whole, pages: listing.pages, apiCalls: listing.apiCalls, attempts,
      })) {
        return result(listing, 'succeeded', null);
      }
    } else if (whole !== null && whole.length <= FIRST_LISTING_MAX_ITEMS) {
      // A region never recorded: all its images are new, written in one statement when no listed
      // id is stored for the account (record-first-listing.ts); otherwise the full path decides.
      const counts = await recordFirstListing(db, {
        runId: ctx.runId, account: ctx.account, regionId: ctx.regionId, listingStartedAt, startedAt: ctx.startedAt,
        items: whole, pages: listing.pages, apiCalls: listing.apiCalls, attempts,
      });
      if (counts !== null) {
        writer.counts = counts;
        return result(listing, 'succeeded', null);
      }
    }
    await writer.flush();
    if (complete) await writer.deleteAbsent(listing.imageIds);
    const status = complete ? 'succeeded' : 'incomplete';
    const incompleteReason = listing.completeness.complete ? undefined : listing.completeness.reason;
    const { tx, write } = await writer.transaction();
    await recordRegionSync(tx, {
      ...write, startedAt: ctx.startedAt, status, counts: writer.counts, complete, incompleteReason, listingStartedAt,
      pages: listing.pages, apiCalls: listing.apiCalls, imagesSeen: listing.imageIds.size, attempts,
    });
    await writer.commit();
    return result(listing, status, incompleteReason === undefined ? null : { code: 'ListingIncomplete', message: incompleteReason });
  } catch (error) {
    await writer.rollback(error);
    if (!(error instanceof ListingSupersededError)) throw error;
    const pages = listing?.pages ?? 0;
    const apiCalls = listing?.apiCalls ?? 0;
    await recordSupersededListing(db, { runId: ctx.runId, account: ctx.account, regionId: ctx.regionId, startedAt: ctx.startedAt, attempts, pages, apiCalls, message: error.message });
    return {
      account: ctx.account, regionId: ctx.regionId, status: 'incomplete', pages, apiCalls, images: 0, counts: emptyCounts(),
      error: { code: error.code, message: error.message },
    };
  }
}

/** diff -> persist for a listing already in memory (tests, imports): the same writer as the sync. */
export function applyListing(
  db: Db, listing: RegionListing, ctx: { runId: string; startedAt: Date; attempts?: number }, options: Pick<WriteRegionOptions, 'presentBatchSize'> = {},
): Promise<RegionSyncResult> {
  return writeRegion(db, { ...ctx, account: listing.accountName, regionId: listing.regionId }, async (writer) => {
    await writer.begin(1);
    await writer.started();
    await writer.page(listing.images.map((image) => ({ imageId: image.imageId, raw: image.raw, observed: image })));
    return listing;
  }, { ...options, fastPath: false });
}
