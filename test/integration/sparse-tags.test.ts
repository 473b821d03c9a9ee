/**
 * Knowing an image's tags is sticky (found by the soak, seed 77201512): an image listed with an
 * explicit empty `Tags`, then once by a sparse answer that left `Tags` out while something else
 * changed, had its first real tag recorded as a "first sighting", with no event: the stored row's
 * raw item (the sparse one) no longer said its tags had ever been observed. Both back ends.
 */
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.js';
import { customImages, imageEvents } from '../../src/db/schema.js';
import { backends, createTestDatabase } from '../helpers/databases.js';
import { writeListing } from '../helpers/listings.js';

const ACCOUNT = 'default';
const REGION = 'cn-hangzhou';
const wire = (over: Record<string, unknown> = {}, dropTags = false) => {
  const item: Record<string, unknown> = {
    ImageId: 'm-t', RegionId: REGION, Name: 'image', Status: 1, OsType: 'Linux', CreationTime: '2022-10-09T02:28:06Z',
    RequiredSystemDiskSize: 20, UserId: 1801858287100001, Tags: [], ...over,
  };
  if (dropTags) delete item.Tags;
  return item;
};

describe.each(backends())('tags once observed stay observed on %s', (kind) => {
  let h: DatabaseHandle;
  beforeAll(async () => { h = await createTestDatabase(kind); });
  afterAll(async () => h?.close());

  const sync = async (item: Record<string, unknown>) => (await writeListing(h.db, ACCOUNT, REGION, [item])).result;
  const kinds = async () => (await h.db.select().from(imageEvents)
    .where(and(eq(imageEvents.account, ACCOUNT), eq(imageEvents.imageId, 'm-t'))).orderBy(asc(imageEvents.id))).map((e) => e.kind);

  it('a first tag after a sparse answer is a tags_changed event, not a silent fill-in', async () => {
    expect((await sync(wire())).counts.created).toBe(1);
    const sparse = await sync(wire({ Name: 'renamed' }, true)); // Tags left out, the name changed
    expect(sparse.counts).toMatchObject({ updated: 1, tags_changed: 0 });
    const [row] = await h.db.select().from(customImages).where(eq(customImages.imageId, 'm-t'));
    expect((row?.raw as { Tags?: unknown }).Tags).toBeUndefined(); // raw stays what was received
    const tagged = await sync(wire({ Name: 'renamed', Tags: [{ Key: 'round', Value: '3' }] }));
    expect(tagged.counts).toMatchObject({ tags_changed: 1, updated: 0 });
    expect(await kinds()).toEqual(['created', 'updated', 'tags_changed']);
  });

  it('a returning image is observed afresh: its tags are known only if that answer carried them', async () => {
    const item = (over: Record<string, unknown>, drop: boolean) => ({ ...wire(over, drop), ImageId: 'back-t' });
    await sync(item({ Tags: [{ Key: 'env', Value: 'prod' }] }, false));
    const empty = async () => (await writeListing(h.db, ACCOUNT, REGION, [])).result;
    expect((await empty()).counts.deleted).toBeGreaterThanOrEqual(1);
    expect((await sync(item({}, true))).counts.restored).toBe(1); // back, Tags left out
    const full = await sync(item({ Tags: [{ Key: 'env', Value: 'prod' }] }, false));
    expect(full.counts.tags_changed).toBe(0); // filled in: the restore never observed them
  });

  it('tags never observed are still filled in silently the first time they are seen', async () => {
    await h.db.delete(customImages).where(eq(customImages.imageId, 'never-t')); // fresh id
    const item = (over: Record<string, unknown>, drop: boolean) => ({ ...wire(over, drop), ImageId: 'never-t' });
    await sync(item({}, true));
    const first = await sync(item({ Tags: [{ Key: 'env', Value: 'prod' }] }, false));
    expect(first.counts.tags_changed).toBe(0);
  });
});
