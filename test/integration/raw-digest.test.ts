/**
 * The listing's digests (src/sync/raw-digest.ts) agree with the digests Postgres keeps of the
 * stored rows (custom_images.raw_digest, migration 0007), on both back ends, for items that test
 * every part of jsonb's text: key order (length, then bytes, non-ASCII and astral keys), string
 * escapes, numbers with exponents, nesting, empty containers, and what cleaning changes (NUL, lone
 * surrogates, keys that collide once cleaned). Agreement is what lets an unchanged region of such
 * items take the one-statement path; any disagreement would send it down the full path each time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { queryRows, type DatabaseHandle } from '../../src/db/database.js';
import { regionStates } from '../../src/db/schema.js';
import { listedItem } from '../../src/sync/normalize-image.js';
import { rawDigest, numericText } from '../../src/sync/raw-digest.js';
import { backends, createTestDatabase } from '../helpers/databases.js';
import { writeListing, wireImage } from '../helpers/listings.js';
import { writeFingerprint } from '../helpers/write-probe.js';

const ACCOUNT = 'digests';
const REGION = 'cn-hangzhou';

const NUMBERS = [0, -0, 1, -1, 7.5, 0.1, -0.000001, 1e-7, 1.5e-7, -2.5e-10, 5e-324, 1e21, 1.2345e25, -9.87e22, 1e308,
  2 ** 53, 2 ** 53 + 2, Number("12345678901234567890"), 1801858287100001, 123.456, 1 / 3];

/** Wire items, as JSON text (so `__proto__` and duplicate keys arrive as JSON.parse makes them). */
const TRICKY: string[] = [
  JSON.stringify({ ImageId: 'd-keys', RegionId: REGION, Status: 1, b: 1, aa: 2, a: 3, B: 4, é: 5, z: 6, '😀': 7, 'ü': 8, '\uFF41': 9, Ab: 10 }),
  JSON.stringify({ ImageId: 'd-strings', RegionId: REGION, Name: 'quote " backslash \\ slash / tab \t nl \n cr \r ff \f bs \b',
    Description: 'ctl \u0001 \u001f del \u007f nbsp \u00a0 ls \u2028 ps \u2029 bom \ufeff astral 😀 é', Tags: [{ Key: 'k', Value: '' }] }),
  JSON.stringify({ ImageId: 'd-numbers', RegionId: REGION, Status: 1, Numbers: NUMBERS, Nested: { n: 1e21, m: [1.5e-7, { x: -0 }] } }),
  JSON.stringify({ ImageId: 'd-shapes', RegionId: REGION, Empty: {}, EmptyList: [], Nulls: [null, true, false], Deep: [[[[{ a: [{}] }]]]], Tags: [] }),
  // What cleaning changes: NUL removed, lone surrogates replaced, a key that collides once cleaned.
  '{"ImageId":"d-clean","RegionId":"cn-hangzhou","Name":"nul\\u0000here","Description":"lone \\ud800 and \\udc00 end",' +
    '"Ke\\u0000y":"first","Key":"second","\\ud83d":"lone key"}',
  '{"ImageId":"d-proto","RegionId":"cn-hangzhou","__proto__":{"polluted":true},"constructor":"x","Status":"1"}',
  '{"ImageId":"d-dupes","RegionId":"cn-hangzhou","Name":"one","Name":"two","Status":1}',
];

describe.each(backends())('listing digests against stored raw digests on %s', (kind) => {
  let h: DatabaseHandle;
  beforeAll(async () => { h = await createTestDatabase(kind); });
  afterAll(async () => h?.close());

  const storedDigests = async (): Promise<Map<string, string>> => {
    const rows = await queryRows<{ image_id: string; digest: string }>(h.db, sql`
      select image_id, encode(raw_digest, 'hex') as digest from swas.custom_images where account = ${ACCOUNT}`);
    return new Map(rows.map((r) => [r.image_id, r.digest]));
  };

  it('numbers print as Postgres prints the numeric it parses from JSON.stringify', async () => {
    for (const n of NUMBERS) {
      const [row] = await queryRows<{ text: string }>(h.db, sql`select (${JSON.stringify(n)}::jsonb)::text as text`);
      expect(numericText(n), `number ${n}`).toBe(row?.text);
    }
  });

  it('every stored row has the digest its listed item had, and an unchanged re-sync of them writes nothing', async () => {
    const items = TRICKY.map((t) => JSON.parse(t) as unknown);
    const first = await writeListing(h.db, ACCOUNT, REGION, items);
    expect(first.result).toMatchObject({ status: 'succeeded', images: items.length });
    const stored = await storedDigests();
    expect(stored.size).toBe(items.length);
    for (const item of items) {
      const listed = listedItem(item, REGION);
      expect(rawDigest(listed.raw), listed.imageId).toBe(stored.get(listed.imageId));
    }
    const before = await writeFingerprint(h.db);
    const again = await writeListing(h.db, ACCOUNT, REGION, TRICKY.map((t) => JSON.parse(t) as unknown));
    expect(again.result).toMatchObject({ status: 'succeeded', counts: { created: 0, updated: 0, deleted: 0 } });
    expect(await writeFingerprint(h.db)).toEqual(before);
    const [state] = await h.db.select().from(regionStates).where(and(eq(regionStates.account, ACCOUNT), eq(regionStates.regionId, REGION)));
    expect(state?.lastSyncRunId).toBe(again.runId);
  });

  it('a stored raw that differs in anything has a different digest', async () => {
    const base = wireImage('d-diff', REGION);
    await writeListing(h.db, ACCOUNT, 'cn-beijing', [{ ...base, RegionId: 'cn-beijing' }]);
    const listed = (over: Record<string, unknown>) => rawDigest({ ...base, RegionId: 'cn-beijing', ...over });
    const same = listed({});
    expect((await storedDigests()).get('d-diff')).toBe(same);
    for (const over of [{ Name: 'other' }, { Status: '1' }, { Extra: null }, { Tags: [] }, { RequiredSystemDiskSize: 20.5 }]) {
      expect(listed(over), JSON.stringify(over)).not.toBe(same);
    }
    expect(rawDigest({ a: 1, b: 2 })).toBe(rawDigest({ b: 2, a: 1 }));
    expect(rawDigest([1, undefined])).toBeNull();
  });
});
