import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/database.js';
import { diffRegion } from './diff-region.js';
import { loadStoredImages, lockRegion } from './load-stored-images.js';
import { persistRegion } from './persist-region.js';
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

export interface ApplyContext {
  runId: string;
  startedAt: Date;
  attempts?: number;
}

/**
 * diff -> persist for one listing, in one transaction under the region's advisory lock. The
 * time of every event and version is the database's clock once the lock is held, so histories
 * written by workers on different machines stay ordered.
 */
export async function applyListing(db: Db, listing: RegionListing, ctx: ApplyContext): Promise<RegionSyncResult> {
  const { accountName: account, regionId } = listing;
  const persisted = await db.transaction(async (tx) => {
    await lockRegion(tx, account, regionId);
    const observedAt = await databaseNow(tx);
    const stored = await loadStoredImages(tx, account, regionId);
    const diff = diffRegion(stored, listing.images, listing.completeness.complete);
    return persistRegion(tx, {
      runId: ctx.runId,
      account,
      regionId,
      observedAt,
      startedAt: ctx.startedAt,
      diff,
      complete: listing.completeness.complete,
      incompleteReason: listing.completeness.complete ? undefined : listing.completeness.reason,
      pages: listing.pages,
      apiCalls: listing.apiCalls,
      imagesSeen: listing.images.length,
      attempts: ctx.attempts ?? 1,
    });
  });
  return {
    account,
    regionId,
    status: persisted.status,
    pages: listing.pages,
    apiCalls: listing.apiCalls,
    images: listing.images.length,
    counts: persisted.counts,
    error: listing.completeness.complete ? null : { code: 'ListingIncomplete', message: listing.completeness.reason },
  };
}

async function databaseNow(tx: Db): Promise<Date> {
  const [row] = await queryRows<{ now: Date | string }>(tx, sql`select clock_timestamp() as now`);
  if (!row) throw new Error('database returned no clock');
  return row.now instanceof Date ? row.now : new Date(row.now);
}
