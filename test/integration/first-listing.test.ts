/**
 * A region's first listing in one statement (src/sync/record-first-listing.ts, migrations/0012),
 * on both back ends: it writes exactly what the full path writes (every column of every table but
 * ids, run ids and clock readings), falls back to the full path whenever the account already holds
 * a listed id, keeps one row and one `created` when two new regions list the same new id at once,
 * and costs a constant few statements where the full path cost one per table.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { inject } from 'vitest';
import { queryRows, type DatabaseHandle, type Db } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/open-database.js';
import { recordFirstListing } from '../../src/sync/record-first-listing.js';
import { databaseClock } from '../../src/sync/record-unchanged-region.js';
import { listedItem } from '../../src/sync/normalize-image.js';
import { startRun } from '../../src/sync/run-record.js';
import { startPgCountingProxy, viaProxy } from '../../bench/lib/pg-counting-proxy.js';
import { backends, createTestDatabase, createTestDatabaseUrl } from '../helpers/databases.js';
import { writeListing, wireImage } from '../helpers/listings.js';

const wire = wireImage;

/** Items that exercise every column and the normalizer's leniencies. */
const variedListing = (region: string): Record<string, unknown>[] => [
  wire('v-1', region),
  wire('v-2', region, { Tags: [{ Key: 'b', Value: '2' }, { Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }),
  wire('v-3', region, { Tags: [] }),
  wire('v-4', region, { Tags: undefined, Name: null, Description: 'CJK 名前 \u0000 cleaned', Status: '2', UserId: '9007199254740993' }),
  wire('v-5', region, {
    CreateInstances: ['i-1', 'i-2'], InShare: 'true', InShareUser: false, RequiredDataDiskSize: '40', CreationTime: null,
    SourceImageName: 'Ubuntu', SourceImageVersion: '22.04', ResourceGroupId: 'rg-1', Extra: { nested: [1, { deep: 'x' }] },
  }),
];

const CLOCK_READINGS = new Set(['first_seen_at', 'changed_at', 'deleted_at', 'valid_from', 'valid_to', 'observed_at', 'last_complete_listing_at', 'listing_started_at']);

/** Every row an account has in each table, without what differs between two writes of the same data. */
async function accountRows(db: Db, account: string): Promise<Record<string, unknown[]>> {
  const read = async (table: string, order: string, drop: string[]) => {
    const rows = await queryRows<Record<string, unknown>>(db, sql.raw(`select * from swas.${table} where account = '${account}' order by ${order}`));
    return rows.map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => !['account', 'id', 'sync_run_id', 'last_sync_run_id', 'commit_xid', ...drop].includes(k))
      .map(([k, v]) => [k, CLOCK_READINGS.has(k) && v !== null ? 'time' : v])));
  };
  return {
    custom_images: await read('custom_images', 'image_id', []),
    custom_image_tags: await read('custom_image_tags', 'image_id, key, value', []),
    custom_image_versions: await read('custom_image_versions', 'id', []),
    image_events: await read('image_events', 'id', []),
    region_syncs: await read('region_syncs', 'id', ['started_at', 'finished_at']),
    region_states: await read('region_states', 'region_id', ['updated_at']),
  };
}

/** Within one account: every row of one write carries the same clock reading (the lock's). */
async function clockShape(db: Db, account: string): Promise<number> {
  const [row] = await queryRows<{ n: number | string }>(db, sql.raw(`select count(distinct t) as n from (
    select first_seen_at as t from swas.custom_images where account = '${account}' union all
    select changed_at from swas.custom_images where account = '${account}' union all
    select valid_from from swas.custom_image_versions where account = '${account}' union all
    select observed_at from swas.image_events where account = '${account}' union all
    select last_complete_listing_at from swas.region_states where account = '${account}') x`));
  return Number(row?.n);
}

describe.each(backends())('a first listing in one statement on %s', (kind) => {
  let h: DatabaseHandle;
  beforeAll(async () => { h = await createTestDatabase(kind); });
  afterAll(async () => h?.close());

  it('writes exactly what the full path writes', async () => {
    const viaFunction = await writeListing(h.db, 'fn', 'cn-hangzhou', variedListing('cn-hangzhou'));
    const viaFull = await writeListing(h.db, 'full', 'cn-hangzhou', variedListing('cn-hangzhou'), { fastPath: false });
    expect(viaFunction.result).toEqual({ ...viaFull.result, account: 'fn' });
    expect(viaFunction.result.counts.created).toBe(5);
    const emptyFn = await writeListing(h.db, 'fn', 'cn-beijing', []);
    const emptyFull = await writeListing(h.db, 'full', 'cn-beijing', [], { fastPath: false });
    expect(emptyFn.result).toEqual({ ...emptyFull.result, account: 'fn' });
    const fn = await accountRows(h.db, 'fn');
    expect(fn.custom_images).toHaveLength(5);
    expect(fn.custom_image_tags).toHaveLength(4);
    expect(fn.region_states).toHaveLength(2);
    expect(fn).toEqual(await accountRows(h.db, 'full'));
    expect(await clockShape(h.db, 'fn')).toBe(2); // one reading per region written
  });

  it('leaves a listing whose ids the account holds to the full path, with the same outcome', async () => {
    // The same history for two accounts, one through the one-statement records, one without.
    const history = async (account: string, fastPath: boolean) => {
      const write = (region: string, ids: string[]) => writeListing(h.db, account, region, ids.map((id) => wire(id, region)), fastPath ? {} : { fastPath: false });
      await write('r-1', ['a', 'b', 'c']);
      await write('r-2', ['c', 'd']); // c is held by r-1: left with it
      await write('r-1', ['a']); // b and c deleted
      const back = await write('r-3', ['b', 'e']); // a deleted image listed by a new region
      await write('r-4', []);
      return back.result;
    };
    const fnResult = await history('hist-fn', true);
    const fullResult = await history('hist-full', false);
    expect(fnResult).toEqual({ ...fullResult, account: 'hist-fn' });
    expect(fnResult.counts).toMatchObject({ created: 1, restored: 1 });
    expect(await accountRows(h.db, 'hist-fn')).toEqual(await accountRows(h.db, 'hist-full'));
  });

  it('answers null, having written nothing, for a region recorded since its listing began', async () => {
    await writeListing(h.db, 'late', 'cn-shanghai', [wire('l-1', 'cn-shanghai')]);
    const runId = randomUUID();
    await startRun(h.db, { id: runId, trigger: 'cli' });
    const counts = await recordFirstListing(h.db, {
      runId, account: 'late', regionId: 'cn-shanghai', listingStartedAt: await databaseClock(h.db), startedAt: new Date(),
      items: [listedItem(wire('l-2', 'cn-shanghai'), 'cn-shanghai')], pages: 1, apiCalls: 1, attempts: 1,
    });
    expect(counts).toBeNull();
    const [row] = await queryRows<{ n: number | string }>(h.db, sql`select count(*) as n from swas.custom_images where account = 'late'`);
    expect(Number(row?.n)).toBe(1);
  });

  it('keeps one row and one created event when two new regions list the same new id at once', async () => {
    const both = await Promise.all(['r-x', 'r-y'].map((region) => writeListing(h.db, 'race', region, [wire('same', region), wire(`own-${region}`, region)])));
    expect(both.map((b) => b.result.status)).toEqual(['succeeded', 'succeeded']);
    const created = await queryRows<{ image_id: string; region_id: string }>(h.db,
      sql`select image_id, region_id from swas.image_events where account = 'race' and kind = 'created' order by image_id`);
    expect(created.map((e) => e.image_id)).toEqual(['own-r-x', 'own-r-y', 'same']);
    const [row] = await queryRows<{ region_id: string }>(h.db, sql`select region_id from swas.custom_images where account = 'race' and image_id = 'same'`);
    // The region that did not get it says where it is held.
    const loser = both.find((b) => b.result.regionId !== row?.region_id);
    expect(loser?.result.note).toContain(String(row?.region_id));
  });
});

describe('what a first listing costs on postgres', () => {
  let url: { url: string; drop: () => Promise<void> };
  beforeAll(async () => { url = await createTestDatabaseUrl(); });
  afterAll(async () => url?.drop());

  it('a few statements, not one per table and batch', async () => {
    const proxy = await startPgCountingProxy({ host: '127.0.0.1', port: Number(new URL(inject('pgAdminUrl')).port || 5432) });
    const h = await openDatabase({ databaseUrl: viaProxy(url.url, proxy.port), maxConnections: 2 });
    try {
      const items = Array.from({ length: 15 }, (_, i) => wire(`c-${i}`, 'cn-hangzhou', { Tags: [{ Key: 'n', Value: String(i) }] }));
      await writeListing(h.db, 'warmup', 'cn-hangzhou', items.slice(0, 1)); // connections, prepared statements
      const cost = async (account: string, fastPath: boolean) => {
        const before = proxy.counts().statements;
        const { result } = await writeListing(h.db, account, 'cn-hangzhou', items, fastPath ? {} : { fastPath: false });
        expect(result.counts.created).toBe(15);
        return proxy.counts().statements - before;
      };
      const full = await cost('full', false);
      const first = await cost('first', true);
      // The run's own row, the listing's clock and the record.
      expect(first).toBeLessThanOrEqual(3);
      expect(full).toBeGreaterThanOrEqual(first + 8);
    } finally {
      await h.close();
      await proxy.close();
    }
  });
});
