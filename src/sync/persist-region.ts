/**
 * Writes a region's diffs: current rows, tags, versions, events and the region_syncs row, all in
 * the caller's transaction (so a region is all-or-nothing). Set-based statements in chunks: the
 * number of statements grows with the number of CHANGED images / 1000, never with the inventory.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/database.js';
import { insertRegionSyncsIfAbsent, upsertRegionSync } from '../db/region-syncs.js';
import { customImages, customImageTags, customImageVersions, imageEvents, regionStates } from '../db/schema.js';
import type { ImageWrite, PlannedEvent, RegionDiff } from './diff-region.js';
import { fieldsToColumns } from './image-row.js';
import { insertJsonRows, jsonRowsInsert, upsertClause } from './insert-json-rows.js';
import type { EventKind } from '../domain/vocabulary.js';

/** Rows per statement: ~30 columns x 1000 stays well under Postgres' 65535 bind parameters. */
const CHUNK = 1000;

/** Who and when every row of one region transaction is written for. */
export interface WriteContext {
  runId: string;
  account: string;
  regionId: string;
  /** The database's clock when the region lock was taken: the time of every event and version. */
  observedAt: Date;
}

/**
 * Applies a diff (a batch of writes, or the deletions) to current rows, tags, versions and events.
 * Order matters: open versions are closed before new ones open (one open version per image).
 */
export async function persistDiff(tx: Db, ctx: WriteContext, diff: RegionDiff): Promise<void> {
  const { account, observedAt } = ctx;
  const changedIds = diff.writes.filter((w) => w.existed).map((w) => w.image.imageId);
  await closeVersions(tx, account, [...changedIds, ...diff.deletions], observedAt);
  await upsertCurrentRows(tx, ctx, diff.writes, observedAt);
  await replaceTags(tx, account, diff.writes.filter((w) => w.tagsChanged));
  await insertVersions(tx, ctx, diff.writes);
  await markDeleted(tx, account, diff.deletions, observedAt);
  await insertEvents(tx, ctx, diff.events);
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

async function closeVersions(tx: Db, account: string, imageIds: string[], at: Date): Promise<void> {
  for (const ids of chunks(imageIds)) {
    await tx
      .update(customImageVersions)
      .set({ validTo: at })
      .where(and(eq(customImageVersions.account, account), inArray(customImageVersions.imageId, ids), isNull(customImageVersions.validTo)));
  }
}

const IMAGE_UPSERT = upsertClause(customImages, ['account', 'image_id'], ['first_seen_at']);

/**
 * Another region's transaction inserted one of this batch's new image ids after we read the
 * stored rows (two regions of the account listing the same new id at once). Transient: the
 * region is retried as a whole, and the retry reads the committed row and leaves the image with
 * the region that holds it (image-ownership.ts) instead of recording a second `created`.
 */
export class ConcurrentImageWriteError extends Error {
  override name = 'ConcurrentImageWriteError';
  readonly code = 'ConcurrentImageWrite';
  constructor(regionId: string, count: number) {
    super(`${count} new image id(s) of ${regionId} were written by another region of the account at the same moment; the region is retried`);
  }
}

async function upsertCurrentRows(tx: Db, ctx: WriteContext, writes: ImageWrite[], at: Date): Promise<void> {
  const row = (w: ImageWrite) => ({
    account: ctx.account,
    imageId: w.image.imageId,
    ...fieldsToColumns(w.image.fields),
    raw: w.image.raw,
    contentHash: w.contentHash,
    firstSeenAt: at,
    changedAt: at,
    deletedAt: null,
    tagsKnown: w.tagsKnown,
  });
  for (const batch of chunks(writes)) {
    // New ids must not exist: a conflict means another region inserted one since we read (see
    // ConcurrentImageWriteError); the insert waits for that transaction, so the check is exact.
    const fresh = batch.filter((w) => !w.existed);
    if (fresh.length > 0) {
      const inserted = await queryRows(tx, sql`${jsonRowsInsert(customImages, fresh.map(row), sql.raw('on conflict do nothing'))} returning 1 as n`);
      if (inserted.length < fresh.length) throw new ConcurrentImageWriteError(ctx.regionId, fresh.length - inserted.length);
    }
    const known = batch.filter((w) => w.existed);
    if (known.length > 0) await insertJsonRows(tx, customImages, known.map(row), IMAGE_UPSERT);
  }
}

async function replaceTags(tx: Db, account: string, writes: ImageWrite[]): Promise<void> {
  for (const batch of chunks(writes)) {
    const ids = batch.filter((w) => w.existed).map((w) => w.image.imageId);
    if (ids.length > 0) {
      await tx.delete(customImageTags).where(and(eq(customImageTags.account, account), inArray(customImageTags.imageId, ids)));
    }
    const rows = batch.flatMap((w) => uniqueTags(w).map((t) => ({ account, imageId: w.image.imageId, key: t.key, value: t.value })));
    for (const tagBatch of chunks(rows)) await insertJsonRows(tx, customImageTags, tagBatch);
  }
}

// The wire may repeat an identical tag; the table's key is (account, image, key, value).
const uniqueTags = (w: ImageWrite) =>
  w.image.tags.filter((t, i, all) => all.findIndex((o) => o.key === t.key && o.value === t.value) === i);

async function insertVersions(tx: Db, input: WriteContext, writes: ImageWrite[]): Promise<void> {
  for (const batch of chunks(writes)) {
    await insertJsonRows(tx, customImageVersions, batch.map((w) => ({
      account: input.account,
      imageId: w.image.imageId,
      ...fieldsToColumns(w.image.fields),
      tags: w.image.tags,
      contentHash: w.contentHash,
      syncRunId: input.runId,
      validFrom: input.observedAt,
      validTo: null,
    })));
  }
}

async function markDeleted(tx: Db, account: string, imageIds: string[], at: Date): Promise<void> {
  for (const ids of chunks(imageIds)) {
    await tx
      .update(customImages)
      .set({ deletedAt: at, changedAt: at })
      .where(and(eq(customImages.account, account), inArray(customImages.imageId, ids)));
  }
}

async function insertEvents(tx: Db, input: WriteContext, events: PlannedEvent[]): Promise<void> {
  for (const batch of chunks(events)) {
    await insertJsonRows(tx, imageEvents, batch.map((e) => ({
      syncRunId: input.runId,
      observedAt: input.observedAt,
      account: input.account,
      regionId: input.regionId,
      imageId: e.imageId,
      kind: e.kind,
      oldStatus: e.oldStatus,
      newStatus: e.newStatus,
      changes: e.changes,
    })));
  }
}

export interface RegionSyncRecord extends WriteContext {
  startedAt: Date;
  status: 'succeeded' | 'incomplete';
  counts: Record<EventKind, number>;
  complete: boolean;
  incompleteReason?: string | undefined;
  pages: number;
  apiCalls: number;
  imagesSeen: number;
  attempts?: number;
  /** The listing's start stamp: region_states keeps it so an older listing is refused later. */
  listingStartedAt: Date;
}

/** The region's region_syncs row and region_states, in the same transaction as its data. */
export async function recordRegionSync(tx: Db, input: RegionSyncRecord): Promise<void> {
  const { status, counts } = input;
  const now = new Date();
  const row = {
    syncRunId: input.runId,
    account: input.account,
    regionId: input.regionId,
    status,
    attempts: input.attempts ?? 1,
    pages: input.pages,
    apiCalls: input.apiCalls,
    imagesSeen: input.imagesSeen,
    created: counts.created,
    updated: counts.updated,
    statusChanged: counts.status_changed,
    tagsChanged: counts.tags_changed,
    deleted: counts.deleted,
    restored: counts.restored,
    errorCode: status === 'incomplete' ? 'ListingIncomplete' : null,
    errorMessage: status === 'incomplete' ? (input.incompleteReason ?? 'listing incomplete') : null,
    startedAt: input.startedAt,
    finishedAt: now,
  };
  await upsertRegionSync(tx, row);

  const state = {
    account: input.account,
    regionId: input.regionId,
    lastSyncRunId: input.runId,
    lastStatus: status,
    updatedAt: now,
    listingStartedAt: input.listingStartedAt,
    ...(input.complete ? { lastCompleteListingAt: input.observedAt } : {}),
  };
  const { account: _sa, regionId: _sr, ...stateUpdate } = state;
  await tx
    .insert(regionStates)
    .values(state)
    .onConflictDoUpdate({ target: [regionStates.account, regionStates.regionId], set: stateUpdate });
}

/**
 * A listing refused as stale (ListingSupersededError): its region_syncs row says so, unless the
 * run already recorded the region (a re-delivered job whose newer copy committed): that row stays.
 * region_states is left to the newer listing.
 */
export async function recordSupersededListing(db: Db, input: {
  runId: string; account: string; regionId: string; startedAt: Date; attempts: number; pages: number; apiCalls: number; message: string;
}): Promise<void> {
  await insertRegionSyncsIfAbsent(db, [{
    syncRunId: input.runId, account: input.account, regionId: input.regionId, status: 'incomplete', attempts: input.attempts,
    pages: input.pages, apiCalls: input.apiCalls, errorCode: 'ListingSuperseded', errorMessage: input.message.slice(0, 2000),
    startedAt: input.startedAt, finishedAt: new Date(),
  }]);
}
