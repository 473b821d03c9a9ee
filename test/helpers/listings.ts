/**
 * One region's listing written through the real writer (writeRegion: the unchanged fast path, the
 * full path, the stale-listing fence), from wire items as ListCustomImages returns them: what the
 * integration tests of the sync's write side share.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/database.js';
import { writeRegion, type RegionSyncResult } from '../../src/sync/apply-listing.js';
import { listedItem } from '../../src/sync/normalize-image.js';
import { startRun } from '../../src/sync/run-record.js';
import type { RegionListing } from '../../src/sync/types.js';

/** A ListCustomImages item as the wire carries it, with `over` on top. */
export const wireImage = (id: string, regionId: string, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  ImageId: id, RegionId: regionId, Name: `name ${id}`, Status: 1, OsType: 'Linux', CreationTime: '2022-10-09T02:28:06Z',
  RequiredSystemDiskSize: 20, UserId: 1801858287100001, Tags: [{ Key: 'env', Value: 'prod' }], ...over,
});

export interface WriteListingOptions {
  runId?: string;
  /** Runs after the page went to the writer (a page of WRITE_BATCH items is flushed by then): hold the listing open here. */
  hold?: () => Promise<void>;
  /** false: the full path even where a one-statement record applies (writeRegion's fastPath). */
  fastPath?: boolean;
}

/** One complete, one-page listing of `regionId` for `account`, in a run of its own unless `runId` is given. */
export async function writeListing(
  db: Db, account: string, regionId: string, items: readonly unknown[], opts: WriteListingOptions = {},
): Promise<{ runId: string; result: RegionSyncResult }> {
  const runId = opts.runId ?? randomUUID();
  if (opts.runId === undefined) await startRun(db, { id: runId, trigger: 'cli' });
  const result = await writeRegion(db, { runId, account, regionId, startedAt: new Date() }, async (writer) => {
    await writer.begin(1);
    await writer.started(); // as listRegion does right before page 1 is requested
    const listed = items.map((i) => listedItem(i, regionId));
    await writer.page(listed);
    await opts.hold?.();
    const listing: RegionListing = {
      accountName: account, regionId, images: [], imageIds: new Set(listed.map((i) => i.imageId)),
      completeness: { complete: true }, pages: 1, apiCalls: 1,
    };
    return listing;
  }, opts.fastPath === false ? { fastPath: false } : {});
  return { runId, result };
}
