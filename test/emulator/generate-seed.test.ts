import { describe, expect, it } from 'vitest';
import { generateSeed, parseSeed } from '../../src/emulator/index.js';

describe('generateSeed', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    expect(generateSeed({ seed: 3, accounts: 2 })).toEqual(generateSeed({ seed: 3, accounts: 2 }));
    expect(generateSeed({ seed: 3 })).not.toEqual(generateSeed({ seed: 4 }));
  });

  it('N accounts x R regions x M images, each a valid seed document', () => {
    const seed = parseSeed(generateSeed({ accounts: 3, regions: ['cn-hangzhou', 'eu-west-1'], imagesPerRegion: 7, seed: 11 }));
    expect(seed.accounts).toHaveLength(3);
    expect(seed.images).toHaveLength(3 * 2 * 7);
    for (const account of seed.accounts) {
      expect(account.uid).toMatch(/^1\d{15}$/);
      expect(Number.isSafeInteger(Number(account.uid))).toBe(true);
      expect(seed.images.filter((i) => i.ownerUid === account.uid && i.regionId === 'eu-west-1')).toHaveLength(7);
    }
    expect(new Set(seed.images.map((i) => i.imageId)).size).toBe(seed.images.length);
    expect(seed.images.every((i) => /^m-[0-9a-f]+$/.test(i.imageId ?? ''))).toBe(true);
  });

  it('covers every status in each region, Chinese and ASCII names, tags, CreateInstances and shares', () => {
    const seed = parseSeed(generateSeed({ accounts: 2, regions: ['cn-hangzhou'], imagesPerRegion: 12, seed: 5 }));
    for (const uid of seed.accounts.map((a) => a.uid)) {
      expect(new Set(seed.images.filter((i) => i.ownerUid === uid).map((i) => i.status))).toEqual(new Set(['0', '1', '2', '3', '4']));
    }
    expect(seed.images.some((i) => /[\u4e00-\u9fff]/.test(i.name))).toBe(true);
    expect(seed.images.some((i) => /^[\x20-\x7e]+$/.test(i.name))).toBe(true);
    expect(seed.images.some((i) => i.tags.length > 0)).toBe(true);
    expect(seed.images.some((i) => i.createInstances.length > 0)).toBe(true);
    const [a, b] = seed.accounts;
    expect(seed.images.some((i) => i.ownerUid === a!.uid && i.sharedWith.includes(b!.uid))).toBe(true);
    expect(seed.images.some((i) => i.ownerUid === b!.uid && i.sharedWith.includes(a!.uid))).toBe(true);
  });

  it('optionally adds an STS credential per account', () => {
    const seed = generateSeed({ accounts: 2, sts: true });
    for (const account of seed.accounts) {
      expect(account.accessKeys.filter((k) => k.securityToken !== undefined)).toHaveLength(1);
    }
  });
});

describe('parseSeed rejects what would corrupt the wire shape', () => {
  const account = { uid: '1234567890123456', accessKeys: [{ accessKeyId: 'k', accessKeySecret: 's' }] };
  const image = { ownerUid: account.uid, regionId: 'cn-hangzhou', name: 'x' };

  it.each([
    ['no accounts', { accounts: [] }],
    ['a UID that is not numeric', { accounts: [{ ...account, uid: 'abc' }] }],
    ['a UID above 2^53 (UserId would lose digits as a JSON number)', { accounts: [{ ...account, uid: '9999999999999999' }] }],
    ['a duplicate account', { accounts: [account, account] }],
    ['a duplicate AccessKeyId', { accounts: [account, { uid: '2234567890123456', accessKeys: account.accessKeys }] }],
    ['an image of an unknown account', { accounts: [account], images: [{ ...image, ownerUid: '42' }] }],
    ['a CreationTime with milliseconds', { accounts: [account], images: [{ ...image, creationTime: '2024-01-01T00:00:00.000Z' }] }],
    ['a status outside 0..4', { accounts: [account], images: [{ ...image, status: '5' }] }],
    ['an image id that is not m-…', { accounts: [account], images: [{ ...image, imageId: 'img-1' }] }],
    ['more than 20 tags', { accounts: [account], images: [{ ...image, tags: Array.from({ length: 21 }, (_, i) => ({ key: `k${i}`, value: 'v' })) }] }],
  ])('%s', (_name, doc) => {
    expect(() => parseSeed(doc)).toThrow();
  });

  it('fills documented defaults', () => {
    const seed = parseSeed({ accounts: [account], images: [image] });
    expect(seed.images[0]).toMatchObject({ status: '1', description: '', tags: [], osType: 'Linux', requiredSystemDiskSize: 20, sharedWith: [] });
    expect(parseSeed({ accounts: [account], images: [{ ...image, status: 3 }] }).images[0]?.status).toBe('3');
  });
});
