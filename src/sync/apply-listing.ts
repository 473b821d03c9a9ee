import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/database.js';
import { lockRegion } from './load-stored-images.js';
import { recordRegionSync } from './persist-region.js';
import { RegionWriter } from './region-writer.js';
import type { EventKind, RegionListing } from './types.js';

export interface RegionSyncResult {
  account: string;
  regionId: string;
  status: 'succeeded' | 'incomplete' | 'failed';
  pages: number;
  apiCalls: number;
  images: number;
  counts: Record<EventKind, number>;
  error: { code: string; message: string } | null;
}

export interface RegionContext {
  runId: string;
  account: string;
  regionId: string;
  startedAt: Date;
  attempts?: number;
}

/**
 * One region's transaction: take the region's advisory lock, let `list` stream the listing into
 * the writer, delete what a COMPLETE listing did not see, record the region_syncs row; all or
 * nothing. The time of every event and version is the database's clock once the lock is held,
 * so histories written by workers on different machines stay ordered.
 */
export async function writeRegion(
  db: Db,
  ctx: RegionContext,
  list: (writer: RegionWriter) => Promise<RegionListing>,
): Promise<RegionSyncResult> {
  return db.transaction(async (tx) => {
    await lockRegion(tx, ctx.account, ctx.regionId);
    const observedAt = await databaseNow(tx);
    const where = { runId: ctx.runId, account: ctx.account, regionId: ctx.regionId, observedAt };
    const writer = new RegionWriter(tx, where);
    const listing = await list(writer);
    await writer.flush();
    const { complete } = listing.completeness;
    if (complete) await writer.deleteAbsent(listing.imageIds);
    const status = complete ? 'succeeded' : 'incomplete';
    const incompleteReason = listing.completeness.complete ? undefined : listing.completeness.reason;
    await recordRegionSync(tx, {
      ...where, startedAt: ctx.startedAt, status, counts: writer.counts, complete, incompleteReason,
      pages: listing.pages, apiCalls: listing.apiCalls, imagesSeen: listing.imageIds.size, attempts: ctx.attempts ?? 1,
    });
    return {
      account: ctx.account,
      regionId: ctx.regionId,
      status,
      pages: listing.pages,
      apiCalls: listing.apiCalls,
      images: listing.imageIds.size,
      counts: writer.counts,
      error: incompleteReason === undefined ? null : { code: 'ListingIncomplete', message: incompleteReason },
    };
  });
}

/** diff -> persist for a listing already in memory (tests, imports): the same writer as the sync. */
export function applyListing(db: Db, listing: RegionListing, ctx: { runId: string; startedAt: Date; attempts?: number }): Promise<RegionSyncResult> {
  return writeRegion(db, { ...ctx, account: listing.accountName, regionId: listing.regionId }, async (writer) => {
    await writer.begin(1);
    await writer.page(listing.images);
    return listing;
  });
}

async function databaseNow(tx: Db): Promise<Date> {
  const [row] = await queryRows<{ now: Date | string }>(tx, sql`select clock_timestamp() as now`);
  if (!row) throw new Error('database returned no clock');
  return row.now instanceof Date ? row.now : new Date(row.now);
}
