/**
 * The same ImageId listed by two regions of one account (issue 14). The image belongs to the
 * region that holds it (src/sync/image-ownership.ts): repeated unchanged listings of both regions
 * record nothing at all (before, the row flipped region with an `updated` event and a new version
 * every run); it moves only after its owner's complete listing stops having it (`deleted` there,
 * then `restored` under the new region); and two regions seeing a new id at the same moment
 * record one `created`, not two (on the full path the later one fails as transient and its retry
 * leaves the id; a first listing recorded in one statement leaves it at once).
 */
import { and, asc, eq } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.js';
import { customImages, customImageVersions, imageEvents } from '../../src/db/schema.js';
import { classifyError } from '../../src/sync/classify-error.js';
import { ConcurrentImageWriteError } from '../../src/sync/persist-region.js';
import { splitByOwner } from '../../src/sync/image-ownership.js';
import { backends, createTestDatabase } from '../helpers/databases.js';
import { writeListing, wireImage } from '../helpers/listings.js';
import { waitFor } from '../helpers/wait.js';
import { writeFingerprint } from '../helpers/write-probe.js';

const ACCOUNT = 'default';
const wire = wireImage;

describe.each(backends())('the same ImageId in two regions of one account on %s', (kind) => {
  let h: DatabaseHandle;
  beforeAll(async () => { h = await createTestDatabase(kind); });
  afterAll(async () => h?.close());

  /** One complete listing of `regionId`; `hold` runs after the first page went in (a batch of WRITE_BATCH is flushed). */
  const sync = async (regionId: string, items: unknown[], hold?: () => Promise<void>) =>
    (await writeListing(h.db, ACCOUNT, regionId, items, hold ? { hold } : {})).result;
  const row = async (imageId: string) => (await h.db.select().from(customImages)
    .where(and(eq(customImages.account, ACCOUNT), eq(customImages.imageId, imageId))))[0];
  const events = async (imageId: string) => (await h.db.select().from(imageEvents)
    .where(and(eq(imageEvents.account, ACCOUNT), eq(imageEvents.imageId, imageId))).orderBy(asc(imageEvents.id)))
    .map((e) => `${e.kind}@${e.regionId}`);
  const versions = async (imageId: string) => (await h.db.select().from(customImageVersions)
    .where(and(eq(customImageVersions.account, ACCOUNT), eq(customImageVersions.imageId, imageId)))).length;

  it('repeated unchanged listings of both regions record nothing: the id stays with the region that holds it', async () => {
    const first = await sync('cn-hangzhou', [wire('d-1', 'cn-hangzhou'), wire('h-1', 'cn-hangzhou')]);
    expect(first.counts.created).toBe(2);
    const other = await sync('cn-beijing', [wire('d-1', 'cn-beijing'), wire('b-1', 'cn-beijing')]);
    expect(other).toMatchObject({ status: 'succeeded', images: 2, counts: { created: 1, updated: 0, deleted: 0 } });
    expect(other.note).toMatch(/^1 listed image id\(s\) already belong to another region of the account and were left there: 1 held by cn-hangzhou \(d-1\)/);
    const before = await writeFingerprint(h.db);
    for (let run = 0; run < 3; run++) {
      const a = await sync('cn-hangzhou', [wire('d-1', 'cn-hangzhou'), wire('h-1', 'cn-hangzhou')]);
      const b = await sync('cn-beijing', [wire('d-1', 'cn-beijing'), wire('b-1', 'cn-beijing')]);
      for (const r of [a, b]) expect(r.counts).toEqual({ created: 0, updated: 0, status_changed: 0, tags_changed: 0, deleted: 0, restored: 0 });
    }
    expect(await writeFingerprint(h.db)).toEqual(before);
    expect((await row('d-1'))?.regionId).toBe('cn-hangzhou');
    expect(await events('d-1')).toEqual(['created@cn-hangzhou']);
    expect(await versions('d-1')).toBe(1);
  });

  it('moves only once its owner stops listing it: deleted there, then restored under the new region', async () => {
    await sync('cn-qingdao', [wire('m-1', 'cn-qingdao')]);
    await sync('cn-zhangjiakou', [wire('m-1', 'cn-zhangjiakou')]); // held by qingdao: nothing
    expect(await events('m-1')).toEqual(['created@cn-qingdao']);
    const gone = await sync('cn-qingdao', []);
    expect(gone.counts.deleted).toBe(1);
    const moved = await sync('cn-zhangjiakou', [wire('m-1', 'cn-zhangjiakou')]);
    expect(moved.counts.restored).toBe(1);
    expect(moved.note).toBeUndefined();
    expect((await row('m-1'))?.regionId).toBe('cn-zhangjiakou');
    expect(await events('m-1')).toEqual(['created@cn-qingdao', 'deleted@cn-qingdao', 'restored@cn-zhangjiakou']);
  });

  /**
   * Region A flushes a full batch (WRITE_BATCH = 1000 items, `n-1` among them) and holds its
   * transaction open; region B, never recorded, lists `n-1` meanwhile and reaches its insert, which
   * waits for A. B's outcome (a value, or the error it threw) once A commits.
   */
  const raceForNewId = async (suffix: string, fastPath: boolean): Promise<{ a: Awaited<ReturnType<typeof sync>>; b: unknown }> => {
    const many = Array.from({ length: 1000 }, (_, i) => wire(i === 0 ? `n-${suffix}` : `a${suffix}-${i}`, `cn-shenzhen-${suffix}`));
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let flushed!: () => void;
    const aFlushed = new Promise<void>((r) => { flushed = r; });
    const a = sync(`cn-shenzhen-${suffix}`, many, async () => { flushed(); await gate; });
    await aFlushed;
    const b = writeListing(h.db, ACCOUNT, `cn-guangzhou-${suffix}`, [wire(`n-${suffix}`, `cn-guangzhou-${suffix}`), wire(`g-${suffix}`, `cn-guangzhou-${suffix}`)],
      fastPath ? {} : { fastPath: false }).then((r) => r.result, (e: unknown) => e);
    // B reaches its insert and waits for A's transaction (seen from a connection of its own: A and B hold the pool's).
    const probe = postgres(h.url!, { max: 1, onnotice: () => {} });
    try {
      await waitFor('region B to wait for A\'s uncommitted insert', async () =>
        (await probe<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)[0]!.n > 0,
      30_000, 20);
    } finally {
      await probe.end({ timeout: 5 });
    }
    release();
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.counts.created).toBe(1000);
    return { a: ra, b: rb };
  };

  it.runIf(kind === 'postgres')('two regions seeing a new id at the same moment record one created, not two (full path)', async () => {
    // B's insert finds n-1 taken and the region fails as transient (retried by the pipeline); the
    // retry leaves n-1 with A.
    const { b: failure } = await raceForNewId('1', false);
    expect(failure).toBeInstanceOf(ConcurrentImageWriteError);
    expect(classifyError(failure)).toMatchObject({ kind: 'transient', code: 'ConcurrentImageWrite' });
    expect(await events('g-1')).toEqual([]); // B wrote nothing: all or nothing
    const retry = await sync('cn-guangzhou-1', [wire('n-1', 'cn-guangzhou-1'), wire('g-1', 'cn-guangzhou-1')]);
    expect(retry.counts.created).toBe(1);
    expect(retry.note).toContain('held by cn-shenzhen-1 (n-1)');
    expect(await events('n-1')).toEqual(['created@cn-shenzhen-1']);
    expect((await row('n-1'))?.regionId).toBe('cn-shenzhen-1');
  });

  it.runIf(kind === 'postgres')('two regions seeing a new id at the same moment record one created, not two (first listing in one statement)', async () => {
    // B's one-statement record (record-first-listing.ts) finds n-2 taken once A commits: nothing
    // of it stays, and B's full path, run at once, leaves n-2 with A: no failure, no retry.
    const { b } = await raceForNewId('2', true);
    expect(b).toMatchObject({ status: 'succeeded', counts: { created: 1 } });
    expect((b as { note?: string }).note).toContain('held by cn-shenzhen-2 (n-2)');
    expect(await events('n-2')).toEqual(['created@cn-shenzhen-2']);
    expect(await events('g-2')).toEqual(['created@cn-guangzhou-2']);
    expect((await row('n-2'))?.regionId).toBe('cn-shenzhen-2');
  });
});

describe('splitByOwner (pure)', () => {
  const stored = (imageId: string, regionId: string, deleted = false) => ({
    imageId, fields: { regionId } as never, tags: [], contentHash: 'h', tagsKnown: true, deletedAt: deleted ? new Date(0) : null,
  });
  const seen = (imageId: string) => ({ imageId }) as never;
  it('sets aside ids present under another region, keeps deleted ones and its own', () => {
    const split = splitByOwner('r1', [stored('a', 'r1'), stored('b', 'r2'), stored('c', 'r2', true), stored('d', 'r3')], [seen('a'), seen('b'), seen('c'), seen('d'), seen('e')]);
    expect(split.observed.map((o: { imageId: string }) => o.imageId)).toEqual(['a', 'c', 'e']);
    expect(split.stored.map((s) => s.imageId)).toEqual(['a', 'c']);
    expect([...split.heldElsewhere]).toEqual([['r2', ['b']], ['r3', ['d']]]);
  });
});
