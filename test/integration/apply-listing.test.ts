import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc, eq, inArray } from 'drizzle-orm';
import { applyListing } from '../../src/sync/apply-listing.js';
import { closeAbandonedRuns, finishRun, recordRegionFailure, startRun } from '../../src/sync/run-record.js';
import { customImages, customImageTags, customImageVersions, imageEvents, regionSyncs, syncRuns } from '../../src/db/schema.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import type { ImageFields, ObservedImage, RegionListing } from '../../src/sync/types.js';
import { backends, createTestDatabase } from '../helpers/databases.js';
import { writeFingerprint } from '../helpers/write-probe.js';

const fields = (over: Partial<ImageFields> = {}): ImageFields => ({
  regionId: 'cn-hangzhou', name: '镜像', description: null, status: 1, osType: 'Linux',
  creationTime: '2022-10-09T02:28:06.000Z', instanceId: null, instanceName: null, systemSnapshotId: null,
  systemSnapshotName: null, dataSnapshotId: null, dataSnapshotName: null, requiredSystemDiskSize: 20,
  requiredDataDiskSize: null, sourceImageName: null, sourceImageVersion: null, resourceGroupId: null,
  inShare: false, inShareUser: null, userId: '1801858287100001', createInstances: ['i-1', 'i-2'], ...over,
});
const img = (id: string, over: Partial<ImageFields> = {}, tags = [{ key: 'env', value: 'prod' }]): ObservedImage =>
  ({ imageId: id, fields: fields(over), tags, raw: { ImageId: id, Tags: tags.map((t) => ({ Key: t.key, Value: t.value })) } });
const listing = (images: ObservedImage[], complete = true): RegionListing => ({
  accountName: 'default', regionId: 'cn-hangzhou', images, imageIds: new Set(images.map((i) => i.imageId)), pages: 1, apiCalls: 1,
  completeness: complete ? { complete: true } : { complete: false, reason: 'TotalCount changed between pages' },
});

describe.each(backends())('applyListing on %s', (kind) => {
  let h: DatabaseHandle;
  const run = async (l: RegionListing) => {
    const runId = randomUUID();
    await startRun(h.db, { id: runId, trigger: 'cli' });
    const result = await applyListing(h.db, l, { runId, startedAt: new Date() });
    return { runId, result };
  };
  const events = () => h.db.select().from(imageEvents).orderBy(asc(imageEvents.id));

  beforeAll(async () => { h = await createTestDatabase(kind); });
  afterAll(async () => h?.close());

  it('stores a first listing with every field, tags, an open version and created events', async () => {
    const { result } = await run(listing([img('m-1', { status: 4 }), img('m-2')]));
    expect(result).toMatchObject({ status: 'succeeded', images: 2, counts: { created: 2 } });
    const rows = await h.db.select().from(customImages).orderBy(asc(customImages.imageId));
    expect(rows.map((r) => [r.imageId, r.status, r.name, r.userId, r.createInstances, r.deletedAt])).toEqual([
      ['m-1', 4, '镜像', 1801858287100001n, ['i-1', 'i-2'], null],
      ['m-2', 1, '镜像', 1801858287100001n, ['i-1', 'i-2'], null],
    ]);
    expect(rows[0]?.creationTime?.toISOString()).toBe('2022-10-09T02:28:06.000Z');
    expect(await h.db.select().from(customImageTags)).toHaveLength(2);
    expect((await h.db.select().from(customImageVersions)).map((v) => v.validTo)).toEqual([null, null]);
  });

  it('writes nothing at all when the same listing comes again', async () => {
    const before = await writeFingerprint(h.db);
    const { result } = await run(listing([img('m-1', { status: 4 }), img('m-2')]));
    expect(result.counts).toEqual({ created: 0, updated: 0, status_changed: 0, tags_changed: 0, deleted: 0, restored: 0 });
    expect(await writeFingerprint(h.db)).toEqual(before);
  });

  it('records a status change and closes the old version at the same instant', async () => {
    await run(listing([img('m-1', { status: 1 }), img('m-2')]));
    const last = (await events()).at(-1);
    expect(last).toMatchObject({ imageId: 'm-1', kind: 'status_changed', oldStatus: 4, newStatus: 1 });
    const versions = await h.db.select().from(customImageVersions).where(eq(customImageVersions.imageId, 'm-1')).orderBy(asc(customImageVersions.id));
    expect(versions.map((v) => v.status)).toEqual([4, 1]);
    expect(versions[0]?.validTo?.getTime()).toBe(versions[1]?.validFrom.getTime());
    expect(versions[1]?.validFrom.getTime()).toBe(last?.observedAt.getTime());
  });

  it('never deletes from an incomplete listing, and records it as incomplete', async () => {
    const before = await writeFingerprint(h.db);
    const { runId, result } = await run(listing([], false));
    expect(result.status).toBe('incomplete');
    expect(await writeFingerprint(h.db)).toEqual(before);
    const [rs] = await h.db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, runId));
    expect(rs).toMatchObject({ status: 'incomplete', errorCode: 'ListingIncomplete' });
    expect((await finishRun(h.db, runId)).status).toBe('partial');
  });

  it('deletes what a complete listing no longer has, keeping the row, then restores it', async () => {
    await run(listing([img('m-1', { status: 1 })]));
    const [gone] = await h.db.select().from(customImages).where(eq(customImages.imageId, 'm-2'));
    expect(gone?.deletedAt).not.toBeNull();
    expect((await events()).at(-1)).toMatchObject({ imageId: 'm-2', kind: 'deleted', oldStatus: 1 });
    const open = await h.db.select().from(customImageVersions).where(eq(customImageVersions.imageId, 'm-2'));
    expect(open.every((v) => v.validTo !== null)).toBe(true);

    await run(listing([img('m-1', { status: 1 }), img('m-2', {}, [{ key: 'env', value: 'dev' }])]));
    expect((await events()).at(-1)).toMatchObject({ imageId: 'm-2', kind: 'restored' });
    const [back] = await h.db.select().from(customImages).where(eq(customImages.imageId, 'm-2'));
    expect(back?.deletedAt).toBeNull();
    const tags = await h.db.select().from(customImageTags).where(eq(customImageTags.imageId, 'm-2'));
    expect(tags.map((t) => t.value)).toEqual(['dev']);
  });

  it('finds every deletion when the present rows are read a few at a time, and only those', async () => {
    // Its own region, so earlier tests' images are not involved: 23 present, 7 listed again.
    const region = 'cn-beijing';
    const inRegion = (images: ObservedImage[]): RegionListing => ({ ...listing(images), regionId: region });
    const ids = Array.from({ length: 23 }, (_, i) => `m-del-${String(i).padStart(2, '0')}`);
    const image = (id: string) => img(id, { regionId: region });
    await run(inRegion(ids.map(image)));
    const kept = ids.filter((_, i) => i % 3 === 0);
    const runId = randomUUID();
    await startRun(h.db, { id: runId, trigger: 'cli' });
    // 4 rows per fetch: 6 fetches, the last one short, deletions written between fetches.
    const { counts } = await applyListing(h.db, inRegion(kept.map(image)), { runId, startedAt: new Date() }, { presentBatchSize: 4 });
    expect(counts).toMatchObject({ deleted: 23 - kept.length, created: 0, updated: 0 });
    const deleted = await h.db.select().from(imageEvents).where(eq(imageEvents.syncRunId, runId)).orderBy(asc(imageEvents.imageId));
    expect(deleted.map((e) => [e.imageId, e.kind])).toEqual(ids.filter((id) => !kept.includes(id)).map((id) => [id, 'deleted']));
    const rows = await h.db.select().from(customImages).where(inArray(customImages.imageId, ids)).orderBy(asc(customImages.imageId));
    expect(rows.filter((r) => r.deletedAt === null).map((r) => r.imageId)).toEqual(kept);
  });

  it('records a failed region without touching the image tables, and the run summary says so', async () => {
    const before = await writeFingerprint(h.db);
    const runId = randomUUID();
    await startRun(h.db, { id: runId, trigger: 'cli' });
    await recordRegionFailure(h.db, { runId, account: 'default', regionId: 'cn-beijing', code: 'InternalError', message: 'boom', startedAt: new Date() });
    await applyListing(h.db, listing([img('m-1', { status: 1 }), img('m-2', {}, [{ key: 'env', value: 'dev' }])]), { runId, startedAt: new Date() });
    expect(await writeFingerprint(h.db)).toEqual(before);
    const summary = await finishRun(h.db, runId);
    expect(summary).toMatchObject({ status: 'partial', regionsSucceeded: 1, regionsFailed: 1 });
  });

  it('adds up a region committed twice in one run (a re-run stalled job) instead of zeroing its counts', async () => {
    const runId = randomUUID();
    await startRun(h.db, { id: runId, trigger: 'cli' });
    const l = listing([img('m-1', { status: 1 }), img('m-2', {}, [{ key: 'env', value: 'dev' }]), img('m-9')]);
    await applyListing(h.db, l, { runId, startedAt: new Date() });
    await applyListing(h.db, l, { runId, startedAt: new Date(), attempts: 2 });
    const [rs] = await h.db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, runId));
    expect(rs).toMatchObject({ status: 'succeeded', created: 1, attempts: 2, apiCalls: 2, pages: 2 });
  });

  it('closes runs left running for hours as failed, and leaves recent ones alone', async () => {
    const old = randomUUID();
    const recent = randomUUID();
    await startRun(h.db, { id: old, trigger: 'schedule', startedAt: new Date(Date.now() - 7 * 3600_000) });
    await startRun(h.db, { id: recent, trigger: 'schedule' });
    expect(await closeAbandonedRuns(h.db)).toBe(1);
    const rows = await h.db.select().from(syncRuns).where(inArray(syncRuns.id, [old, recent]));
    expect(Object.fromEntries(rows.map((r) => [r.id === old ? 'old' : 'recent', r.status]))).toEqual({ old: 'failed', recent: 'running' });
    expect(rows.find((r) => r.id === old)?.error).toMatch(/abandoned/);
  });
});
