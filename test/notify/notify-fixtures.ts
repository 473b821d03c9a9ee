/** Listings, subscriptions and runs for the notification tests. */
import { randomUUID } from 'node:crypto';
import type { Subscription, SubscriptionSpec } from '../../src/config/subscriptions.js';
import type { Db } from '../../src/db/database.js';
import { applyListing, writeRegion } from '../../src/sync/apply-listing.js';
import { startRun } from '../../src/sync/run-record.js';
import type { ImageFields, ObservedImage, RegionListing } from '../../src/sync/types.js';
import type { ImageTag } from '../../src/domain/vocabulary.js';
import { waitFor } from '../helpers/wait.js';

export const fields = (regionId: string, over: Partial<ImageFields> = {}): ImageFields => ({
  regionId, name: `image`, description: null, status: 1, osType: 'Linux',
  creationTime: '2022-10-09T02:28:06.000Z', instanceId: null, instanceName: null, systemSnapshotId: null,
  systemSnapshotName: null, dataSnapshotId: null, dataSnapshotName: null, requiredSystemDiskSize: 20,
  requiredDataDiskSize: null, sourceImageName: null, sourceImageVersion: null, resourceGroupId: null,
  inShare: false, inShareUser: null, userId: '1801858287100001', createInstances: [], ...over,
});

export const image = (id: string, regionId: string, over: Partial<ImageFields> = {}, tags: ImageTag[] = []): ObservedImage =>
  ({ imageId: id, fields: fields(regionId, over), tags, raw: { ImageId: id, Tags: tags.map((t) => ({ Key: t.key, Value: t.value })) } });

export const listing = (regionId: string, images: ObservedImage[], accountName = 'default'): RegionListing => ({
  accountName, regionId, images, imageIds: new Set(images.map((i) => i.imageId)), pages: 1, apiCalls: 1,
  completeness: { complete: true },
});

/** One run applying the listings (each its own region transaction). */
export async function syncListings(db: Db, ...listings: RegionListing[]): Promise<string> {
  const runId = randomUUID();
  await startRun(db, { id: runId, trigger: 'cli' });
  for (const l of listings) await applyListing(db, l, { runId, startedAt: new Date() });
  return runId;
}

/**
 * A subscription with the schema's defaults, fast retries for tests. The request timeout is the
 * schema's 10 s, not shorter: the receiver runs in the test's own process, beside an embedded
 * PGlite whose long calls block that event loop, and at 2 s a loaded machine (load 8-15) timed out
 * a request the receiver then accepted, so a test expecting one attempt each saw two. A test about
 * timeouts sets its own.
 */
export function subscription(name: string, url: string, secret: string, over: Partial<SubscriptionSpec> = {}): Subscription {
  return {
    name, url, secretEnv: 'UNUSED', secret, format: 'json', timeoutMs: 10_000, maxAttempts: 10,
    backoff: { baseMs: 20, maxMs: 200 }, concurrency: 4, ratePerSecond: 1_000, ...over,
  };
}

/** The suite's one condition wait (test/helpers/wait.ts), in this file's argument order. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  await waitFor(what, check, timeoutMs);
}

/**
 * Forces two region transactions of one run to commit out of id order: region A's events are
 * inserted first (the smaller ids) and A stays uncommitted while region B's later ids commit.
 * Resolves once B committed; `release()` lets A commit, `regionA` settles when it has.
 */
export async function commitOutOfOrder(db: Db, a: RegionListing, b: RegionListing): Promise<{ release: () => void; regionA: Promise<unknown> }> {
  const runId = randomUUID();
  await startRun(db, { id: runId, trigger: 'cli' });
  const asItems = (l: RegionListing) => l.images.map((i) => ({ imageId: i.imageId, raw: i.raw, observed: i }));
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  let written!: () => void;
  const aWrote = new Promise<void>((r) => { written = r; });
  const regionA = writeRegion(db, { runId, account: a.accountName, regionId: a.regionId, startedAt: new Date() }, async (writer) => {
    await writer.begin(1);
    await writer.page(asItems(a));
    await writer.flush(); // A's events are inserted now: the smaller ids
    written();
    await gate; // ... and A stays uncommitted while B commits
    return a;
  });
  await aWrote;
  await writeRegion(db, { runId, account: b.accountName, regionId: b.regionId, startedAt: new Date() }, async (writer) => {
    await writer.begin(1);
    await writer.page(asItems(b));
    return b;
  });
  return { release, regionA };
}
