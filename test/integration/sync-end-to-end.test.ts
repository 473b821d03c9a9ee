/**
 * Issue 3's "done when", through the real SDK against the emulator, on PGlite and on Postgres.
 * Expected values come from the emulator's own state (its admin view), mapped here independently
 * of the sync's normalizer, so the two cannot simply agree with themselves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq, gt } from 'drizzle-orm';
import { generateSeed, startEmulator, type EmulatorHandle, type StoredImage as EmuImage } from '../../src/emulator/index.js';
import type { Account } from '../../src/config/accounts.js';
import { loadConfig, type Config } from '../../src/config/env.js';
import { SwasClients } from '../../src/cloud/swas-client.js';
import { customImages, customImageTags, imageEvents } from '../../src/db/schema.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { silentLogger } from '../../src/ops/logger.js';
import { SINGLE_ATTEMPT_POLICY } from '../../src/sync/retry-policy.js';
import { runSync, type RunSyncReport } from '../../src/sync/run-sync.js';
import { backends, createTestDatabase } from '../helpers/databases.js';
import { writeFingerprint } from '../helpers/write-probe.js';

const REGIONS = ['cn-beijing', 'cn-hangzhou', 'cn-shanghai'];
const BIG = 'cn-hangzhou';

describe.each(backends())('sync end to end on %s', (kind) => {
  let h: DatabaseHandle;
  let emu: EmulatorHandle;
  let config: Config;
  let clients: SwasClients;
  let account: Account;
  let owner: string;

  const sync = (regions: string[] = []): Promise<RunSyncReport> =>
    runSync({ db: h.db, clients, config, accounts: [account], log: silentLogger() }, { regions, retry: SINGLE_ATTEMPT_POLICY });
  const region = (report: RunSyncReport, id: string) => report.regions.find((r) => r.regionId === id);
  const eventsSince = (id: number) =>
    h.db.select().from(imageEvents).where(gt(imageEvents.id, id)).orderBy(asc(imageEvents.id));
  const lastEventId = async () => (await h.db.select().from(imageEvents).orderBy(asc(imageEvents.id))).at(-1)?.id ?? 0;

  beforeAll(async () => {
    h = await createTestDatabase(kind);
    emu = await startEmulator({ seed: generateSeed({ accounts: 1, regions: REGIONS, imagesPerRegion: 5, seed: 11 }) });
    owner = emu.accounts[0]!.uid;
    for (let i = 0; i < 245; i++) {
      emu.createImage({
        ownerUid: owner, regionId: BIG, imageId: `m-bulk${i.toString(16).padStart(4, '0')}`,
        name: i % 3 === 0 ? `生产镜像 №${i} 🚀` : `bulk-${i}`, description: i % 2 ? '数据盘快照' : 'plain',
        status: '1', tags: [{ key: 'env', value: i % 2 ? 'prod' : 'dev' }, { key: '项目', value: '官网' }],
        createInstances: [`i-${i}a`, `i-${i}b`], requiredSystemDiskSize: 40 + (i % 3), requiredDataDiskSize: i % 4 ? 0 : 100,
      });
    }
    config = { ...loadConfig({ SWAS_ENDPOINT: emu.url, SWAS_REGIONS: REGIONS.join(',') }), listingAttempts: 2 };
    const key = emu.accounts[0]!;
    clients = new SwasClients({ config, env: { T_AK: key.accessKeyId, T_SK: key.accessKeySecret } });
    account = { name: 'default', credentials: { type: 'access_key', accessKeyIdEnv: 'T_AK', accessKeySecretEnv: 'T_SK' }, regions: { allow: null, deny: [] }, callsPerSecond: 100 };
  });
  afterAll(async () => { await emu?.stop(); await h?.close(); });

  it('stores every field of 3 regions exactly, the big one over 3 pages', async () => {
    const report = await sync();
    expect(report.summary.status).toBe('succeeded');
    expect(region(report, BIG)).toMatchObject({ status: 'succeeded', pages: 3, images: 250 });
    expect(report.regions).toHaveLength(3);

    const truth = emu.images({ accountUid: owner });
    const rows = await h.db.select().from(customImages);
    expect(rows).toHaveLength(truth.length);
    const tagRows = await h.db.select().from(customImageTags);
    const byId = new Map(rows.map((r) => [r.imageId, r]));
    for (const img of truth) {
      const row = byId.get(img.imageId);
      expect(row, img.imageId).toBeDefined();
      expect(rowView(row!)).toEqual(expectedView(img));
      const tags = tagRows.filter((t) => t.imageId === img.imageId).map((t) => `${t.key}=${t.value}`).sort();
      expect(tags).toEqual(img.tags.map((t) => `${t.key}=${t.value}`).sort());
    }
  });

  it('re-syncing unchanged data writes no row to the image, tag, version and event tables', async () => {
    const before = await writeFingerprint(h.db);
    const report = await sync();
    expect(report.summary.status).toBe('succeeded');
    expect(report.summary.eventCounts).toEqual({ created: 0, updated: 0, status_changed: 0, tags_changed: 0, deleted: 0, restored: 0 });
    expect(await writeFingerprint(h.db)).toEqual(before);
  });

  it('records scripted changes as exactly the expected events', async () => {
    const [a, b, c, d] = emu.images({ accountUid: owner, regionId: 'cn-shanghai' }).sort((x, y) => (x.imageId < y.imageId ? -1 : 1));
    let mark = await lastEventId();

    emu.updateImage(a!.imageId, { status: '4' });
    await sync(['cn-shanghai']);
    emu.updateImage(a!.imageId, { status: '1' });
    await sync(['cn-shanghai']);
    emu.updateImage(a!.imageId, { status: '2' });
    await sync(['cn-shanghai']);
    const statusEvents = (await eventsSince(mark)).filter((e) => e.imageId === a!.imageId);
    const before = a!.status === '4' ? [] : [[Number(a!.status), 4]];
    expect(statusEvents.map((e) => [e.kind, e.oldStatus, e.newStatus])).toEqual([
      ...before.map(([o, n]) => ['status_changed', o, n]),
      ['status_changed', 4, 1],
      ['status_changed', 1, 2],
    ]);

    mark = await lastEventId();
    emu.updateImage(b!.imageId, { name: '新名字 renamed', description: 'edited' });
    emu.updateImage(c!.imageId, { tags: [...c!.tags.filter((t) => t.key !== 'env'), { key: 'env', value: 'changed' }, { key: 'added', value: 'yes' }] });
    emu.deleteImage(d!.imageId);
    await sync(['cn-shanghai']);
    const events = await eventsSince(mark);
    expect(events.map((e) => [e.imageId, e.kind])).toEqual(expect.arrayContaining([
      [b!.imageId, 'updated'], [c!.imageId, 'tags_changed'], [d!.imageId, 'deleted'],
    ]));
    expect(events).toHaveLength(3);
    expect(events.find((e) => e.kind === 'updated')?.changes).toEqual({
      name: { old: b!.name, new: '新名字 renamed' },
      description: { old: b!.description, new: 'edited' },
    });
    const [gone] = await h.db.select().from(customImages).where(eq(customImages.imageId, d!.imageId));
    expect(gone?.deletedAt).toBeInstanceOf(Date);

    mark = await lastEventId();
    const { imageId, ...rest } = d!;
    emu.createImage({ ...rest, imageId });
    await sync(['cn-shanghai']);
    expect((await eventsSince(mark)).map((e) => [e.imageId, e.kind])).toEqual([[d!.imageId, 'restored']]);
    const [back] = await h.db.select().from(customImages).where(eq(customImages.imageId, d!.imageId));
    expect(back?.deletedAt).toBeNull();
  });

  it('a 500 on page 2 fails that region with no deletions while the other regions commit', async () => {
    const victim = emu.images({ accountUid: owner, regionId: BIG })[0]!;
    emu.deleteImage(victim.imageId); // a real deletion that must NOT be recorded from a failed listing
    const other = emu.images({ accountUid: owner, regionId: 'cn-beijing' })[0]!;
    emu.updateImage(other.imageId, { name: 'beijing changed' });
    const fault = emu.addFault({ kind: 'error', code: 'InternalError', status: 500, match: { region: BIG, page: 2 } });
    const mark = await lastEventId();

    const report = await sync();
    expect(region(report, BIG)).toMatchObject({ status: 'failed', error: { code: 'InternalError' } });
    expect(region(report, 'cn-beijing')?.status).toBe('succeeded');
    expect(report.summary.status).toBe('partial');
    const events = await eventsSince(mark);
    expect(events.filter((e) => e.regionId === BIG)).toEqual([]);
    expect(events.map((e) => [e.imageId, e.kind])).toEqual([[other.imageId, 'updated']]);

    emu.removeFault(fault.id);
    const healed = await sync([BIG]);
    expect(region(healed, BIG)?.status).toBe('succeeded');
    expect((await eventsSince(mark)).filter((e) => e.regionId === BIG).map((e) => [e.imageId, e.kind]))
      .toEqual([[victim.imageId, 'deleted']]);
  });

  it('detects page drift: the listing is re-listed, then marked incomplete without deletions', async () => {
    emu.addFault({ kind: 'pageDrift', mode: 'insert', afterPage: 1, match: { region: BIG } });
    const rowsBefore = await h.db.select().from(customImages).where(and(eq(customImages.regionId, BIG)));
    const mark = await lastEventId();
    const report = await sync([BIG]);
    // One drift on the first listing; the bounded re-list sees a consistent (smaller) inventory.
    const r = region(report, BIG);
    expect(['succeeded', 'incomplete']).toContain(r?.status);
    expect(r?.apiCalls).toBeGreaterThan(3);
    const runEvents = await eventsSince(mark);
    // The abandoned first listing's writes were rolled back: no image has an event kind twice.
    const keys = runEvents.map((e) => `${e.imageId}/${e.kind}`);
    expect(new Set(keys).size).toBe(keys.length);
    const deleted = runEvents.filter((e) => e.kind === 'deleted');
    const truth = new Set(emu.images({ accountUid: owner, regionId: BIG }).map((i) => i.imageId));
    // Every recorded deletion is true: the image is really gone from the emulator.
    for (const e of deleted) expect(truth.has(e.imageId)).toBe(false);
    expect(rowsBefore.length).toBeGreaterThan(0);

    emu.clearFaults();
    emu.addFault({ kind: 'pageDrift', mode: 'insert', afterPage: 1, match: { region: BIG }, count: 100 });
    const mark2 = await lastEventId();
    const drifting = await sync([BIG]);
    expect(region(drifting, BIG)).toMatchObject({ status: 'incomplete', error: { code: 'ListingIncomplete' } });
    expect((await eventsSince(mark2)).filter((e) => e.kind === 'deleted')).toEqual([]);
    emu.clearFaults();
  });
});

/** What the emulator holds, as the columns should read: stored faithfully, an empty string stays "". */
function expectedView(img: EmuImage) {
  return {
    regionId: img.regionId, name: img.name, description: img.description, status: Number(img.status),
    osType: img.osType, creationTime: new Date(img.creationTime).toISOString(), instanceId: img.instanceId,
    requiredSystemDiskSize: img.requiredSystemDiskSize, requiredDataDiskSize: img.requiredDataDiskSize,
    userId: BigInt(img.ownerUid), createInstances: img.createInstances, inShare: img.inShare,
    sourceImageName: img.sourceImageName, deletedAt: null,
  };
}

function rowView(row: typeof customImages.$inferSelect) {
  return {
    regionId: row.regionId, name: row.name, description: row.description, status: row.status, osType: row.osType,
    creationTime: row.creationTime?.toISOString() ?? null, instanceId: row.instanceId,
    requiredSystemDiskSize: row.requiredSystemDiskSize, requiredDataDiskSize: row.requiredDataDiskSize,
    userId: row.userId, createInstances: row.createInstances, inShare: row.inShare,
    sourceImageName: row.sourceImageName, deletedAt: row.deletedAt,
  };
}
