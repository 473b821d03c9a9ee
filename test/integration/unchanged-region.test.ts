/**
 * The unchanged-region fast path and the refusal of stale listings (issue 12), on both back ends:
 * an unchanged listing is recorded by one statement and writes nothing to the image tables;
 * anything that differs (an item, a missing or extra image, an image stored under another region,
 * a deleted one) falls through to the full path and is recorded exactly as before; a listing that
 * started before a newer one was written is refused, never written over it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq } from 'drizzle-orm';
import { listedItem } from '../../src/sync/normalize-image.js';
import { databaseClock, recordUnchangedRegion } from '../../src/sync/record-unchanged-region.js';
import { startRun } from '../../src/sync/run-record.js';
import { customImages, imageEvents, regionStates, regionSyncs } from '../../src/db/schema.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { backends, createTestDatabase } from '../helpers/databases.js';
import { writeListing, wireImage } from '../helpers/listings.js';
import { writeFingerprint } from '../helpers/write-probe.js';

const ACCOUNT = 'default';
const wire = wireImage;

describe.each(backends())('unchanged regions and stale listings on %s', (kind) => {
  let h: DatabaseHandle;
  beforeAll(async () => { h = await createTestDatabase(kind); });
  afterAll(async () => h?.close());

  const newRun = async () => {
    const runId = randomUUID();
    await startRun(h.db, { id: runId, trigger: 'cli' });
    return runId;
  };
  /** One region synced from wire items through writeRegion; `gate` holds the listing open. */
  const sync = (regionId: string, items: unknown[], opts: { runId?: string; gate?: Promise<void>; listed?: () => void } = {}) =>
    writeListing(h.db, ACCOUNT, regionId, items, {
      ...(opts.runId !== undefined ? { runId: opts.runId } : {}),
      hold: async () => { opts.listed?.(); await opts.gate; },
    });
  const events = (imageId: string) => h.db.select().from(imageEvents)
    .where(and(eq(imageEvents.account, ACCOUNT), eq(imageEvents.imageId, imageId))).orderBy(asc(imageEvents.id));

  it('records an unchanged region without writing the image tables, and with its outcome row', async () => {
    const first = await sync('cn-hangzhou', [wire('m-1', 'cn-hangzhou'), wire('m-2', 'cn-hangzhou')]);
    expect(first.result.counts.created).toBe(2);
    const before = await writeFingerprint(h.db);
    const again = await sync('cn-hangzhou', [wire('m-2', 'cn-hangzhou'), wire('m-1', 'cn-hangzhou')]);
    expect(again.result).toMatchObject({ status: 'succeeded', images: 2, counts: { created: 0, updated: 0, deleted: 0 } });
    expect(await writeFingerprint(h.db)).toEqual(before);
    const [row] = await h.db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, again.runId));
    expect(row).toMatchObject({ status: 'succeeded', imagesSeen: 2, pages: 1, apiCalls: 1, created: 0, errorCode: null });
    const [state] = await h.db.select().from(regionStates).where(and(eq(regionStates.account, ACCOUNT), eq(regionStates.regionId, 'cn-hangzhou')));
    expect(state?.lastSyncRunId).toBe(again.runId);
    expect(state?.listingStartedAt).toBeInstanceOf(Date);
  });

  it('answers false and writes nothing for every kind of difference', async () => {
    const region = 'cn-shanghai';
    await sync(region, [wire('s-1', region), wire('s-2', region)]);
    await sync('cn-beijing', [wire('b-1', 'cn-beijing')]);
    const item = (raw: Record<string, unknown>) => listedItem(raw, region);
    const attempt = async (items: ReturnType<typeof item>[]) => {
      const runId = await newRun();
      const recorded = await recordUnchangedRegion(h.db, {
        runId, account: ACCOUNT, regionId: region, listingStartedAt: await databaseClock(h.db), startedAt: new Date(),
        items, pages: 1, apiCalls: 1, attempts: 1,
      });
      const rows = await h.db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, runId));
      return { recorded, rows: rows.length };
    };
    expect(await attempt([item(wire('s-1', region)), item(wire('s-2', region))])).toEqual({ recorded: true, rows: 1 });
    expect(await attempt([item(wire('s-1', region)), item(wire('s-2', region, { Status: 2 }))])).toEqual({ recorded: false, rows: 0 });
    expect(await attempt([item(wire('s-1', region))])).toEqual({ recorded: false, rows: 0 });
    expect(await attempt([item(wire('s-1', region)), item(wire('s-2', region)), item(wire('s-3', region))])).toEqual({ recorded: false, rows: 0 });
    // b-1 is stored under cn-beijing: listed here it must move, which only the full path records.
    expect(await attempt([item(wire('s-1', region)), item(wire('b-1', region))])).toEqual({ recorded: false, rows: 0 });
    // A representation change that normalizes the same (Status as a string) is not "identical".
    expect(await attempt([item(wire('s-1', region, { Status: '1' })), item(wire('s-2', region))])).toEqual({ recorded: false, rows: 0 });
    expect(await attempt([])).toEqual({ recorded: false, rows: 0 });
  });

  it('falls through to the full path for a change, an id held by another region and a deletion', async () => {
    const region = 'cn-qingdao';
    await sync(region, [wire('q-1', region), wire('q-2', region)]);
    await sync('cn-zhangjiakou', [wire('z-1', 'cn-zhangjiakou')]);
    const { result } = await sync(region, [wire('q-1', region, { Status: 2 }), wire('z-1', region)]);
    // z-1 is present under cn-zhangjiakou: it stays there (src/sync/image-ownership.ts), reported, not moved.
    expect(result.counts).toMatchObject({ status_changed: 1, updated: 0, deleted: 1 });
    expect(result.note).toContain('held by cn-zhangjiakou (z-1)');
    const [held] = await h.db.select().from(customImages).where(and(eq(customImages.account, ACCOUNT), eq(customImages.imageId, 'z-1')));
    expect(held?.regionId).toBe('cn-zhangjiakou');
    // The representation-only change normalizes to the same: the full path writes nothing for it.
    const before = await writeFingerprint(h.db);
    const again = await sync(region, [wire('q-1', region, { Status: '2' }), wire('z-1', region)]);
    expect(again.result.counts).toMatchObject({ created: 0, updated: 0, status_changed: 0, deleted: 0 });
    expect(await writeFingerprint(h.db)).toEqual(before);
  });

  for (const change of ['unchanged', 'changed'] as const) {
    it(`refuses a listing that started before a newer one was written (older listing ${change})`, async () => {
      const region = `cn-test-${change}`;
      const [x1, x2] = [`${change}-1`, `${change}-2`];
      await sync(region, [wire(x1, region), wire(x2, region)]);
      let release!: () => void;
      const gate = new Promise<void>((r) => { release = r; });
      let listed!: () => void;
      const listedOnce = new Promise<void>((r) => { listed = r; });
      // The older listing saw x-1 available (and, when "changed", a renamed x-2); it is held open.
      const olderItems = [wire(x1, region), wire(x2, region, change === 'changed' ? { Name: 'older rename' } : {})];
      const older = sync(region, olderItems, { gate, listed });
      await listedOnce;
      // A newer listing sees x-1 unavailable and commits first.
      const newer = await sync(region, [wire(x1, region, { Status: 2 }), wire(x2, region)]);
      expect(newer.result.counts.status_changed).toBe(1);
      const before = await writeFingerprint(h.db);
      release();
      const { result, runId } = await older;
      expect(result).toMatchObject({ status: 'incomplete', error: { code: 'ListingSuperseded' }, counts: { status_changed: 0, updated: 0 } });
      expect(await writeFingerprint(h.db)).toEqual(before);
      const [row] = await h.db.select().from(customImages).where(and(eq(customImages.account, ACCOUNT), eq(customImages.imageId, x1)));
      expect(row?.status).toBe(2);
      expect((await events(x1)).map((e) => e.kind)).toEqual(['created', 'status_changed']);
      const [record] = await h.db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, runId));
      expect(record).toMatchObject({ status: 'incomplete', errorCode: 'ListingSuperseded' });
      const [state] = await h.db.select().from(regionStates).where(and(eq(regionStates.account, ACCOUNT), eq(regionStates.regionId, region)));
      expect(state?.lastSyncRunId).toBe(newer.runId);
    });
  }
});
