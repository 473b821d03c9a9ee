import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MalformedResponseError } from '../../src/cloud/malformed-response.js';
import { PermanentError } from '../../src/domain/errors.js';
import { cleanJson, normalizeImage, parseCreationTime } from '../../src/sync/normalize-image.js';

/** The example item of the ListCustomImages API page (seeds/ListCustomImages.txt), verbatim. */
const SEED_ITEM = {
  CreationTime: '2022-10-09T02:28:06Z',
  DataSnapshotName: '数据盘快照',
  SystemSnapshotId: 's-bp1h173hj21puxb***',
  InShare: false,
  InShareUser: true,
  InstanceId: '2d06ee0520b44de1ae88d4be****',
  DataSnapshotId: 's-bp19rn9u8eqzlfb***',
  RegionId: 'cn-hangzhou',
  SystemSnapshotName: '系统盘快照',
  Description: '自定义镜像-1',
  Name: 'test',
  ImageId: 'm-bp1e79zktg26n2b***',
  Status: '1',
  Tags: [{ Key: 'TestKey', Value: 'TestValue' }],
  InstanceName: 'swas-asdf23***',
  ResourceGroupId: 'rg-acfm2h2lvp3ublq',
  CreateInstances: ['9ffb716db6ae406ca78a476c0c81****'],
  UserId: 0,
  OsType: 'Linux',
  RequiredSystemDiskSize: 20,
  RequiredDataDiskSize: 20,
  SourceImageName: 'CentOS',
  SourceImageVersion: '8.0',
};

const REGION = 'cn-hangzhou';

function malformed(item: unknown): MalformedResponseError {
  try {
    normalizeImage(item, REGION);
  } catch (err) {
    if (err instanceof MalformedResponseError) return err;
    throw err;
  }
  throw new Error('expected normalizeImage to throw');
}

describe('normalizeImage', () => {
  it('maps the documented example item field by field', () => {
    const image = normalizeImage(SEED_ITEM, REGION);
    expect(image).toEqual({
      imageId: 'm-bp1e79zktg26n2b***',
      fields: {
        regionId: 'cn-hangzhou',
        name: 'test',
        description: '自定义镜像-1',
        status: 1,
        osType: 'Linux',
        creationTime: '2022-10-09T02:28:06.000Z',
        instanceId: '2d06ee0520b44de1ae88d4be****',
        instanceName: 'swas-asdf23***',
        systemSnapshotId: 's-bp1h173hj21puxb***',
        systemSnapshotName: '系统盘快照',
        dataSnapshotId: 's-bp19rn9u8eqzlfb***',
        dataSnapshotName: '数据盘快照',
        requiredSystemDiskSize: 20,
        requiredDataDiskSize: 20,
        sourceImageName: 'CentOS',
        sourceImageVersion: '8.0',
        resourceGroupId: 'rg-acfm2h2lvp3ublq',
        inShare: false,
        inShareUser: true,
        userId: '0',
        createInstances: ['9ffb716db6ae406ca78a476c0c81****'],
      },
      tags: [{ key: 'TestKey', value: 'TestValue' }],
      raw: SEED_ITEM,
    });
  });

  it('takes only ImageId as required: absent and null optional fields become null', () => {
    const image = normalizeImage({ ImageId: 'm-1', Name: null, Tags: null, CreateInstances: null, Status: null }, REGION);
    expect(image.imageId).toBe('m-1');
    expect(image.fields).toMatchObject({ regionId: REGION, name: null, status: null, creationTime: null, userId: null, inShare: null, createInstances: null });
    expect(Object.values(image.fields).filter((v) => v !== null)).toEqual([REGION]);
    expect(image.tags).toEqual([]);
  });

  it('keeps extra fields in raw, untouched', () => {
    const item = { ...SEED_ITEM, NewApiField: { nested: [1, 'two'] }, Platform: 'Linux' };
    expect(normalizeImage(item, REGION).raw).toEqual(item);
  });

  it('accepts numbers as strings and strings as numbers where the API varies', () => {
    const image = normalizeImage({
      ImageId: 'm-1', Status: 4, RequiredSystemDiskSize: '40', RequiredDataDiskSize: ' 0 ', UserId: '1801858287101234',
      InShare: 'true', InShareUser: 'False',
    }, REGION);
    expect(image.fields).toMatchObject({
      status: 4, requiredSystemDiskSize: 40, requiredDataDiskSize: 0, userId: '1801858287101234', inShare: true, inShareUser: false,
    });
  });

  it('keeps an unknown status code as is', () => {
    expect(normalizeImage({ ImageId: 'm-1', Status: '9' }, REGION).fields.status).toBe(9);
  });

  it('keeps a UserId beyond 2^53 exactly when it comes as a string', () => {
    expect(normalizeImage({ ImageId: 'm-1', UserId: '9223372036854775807' }, REGION).fields.userId).toBe('9223372036854775807');
  });

  it('keeps Chinese text and emoji intact', () => {
    const image = normalizeImage({ ImageId: 'm-1', Name: '生产环境镜像 🚀', Description: '👨‍👩‍👧 家庭', Tags: [{ Key: '环境', Value: '生产🔥' }] }, REGION);
    expect(image.fields.name).toBe('生产环境镜像 🚀');
    expect(image.fields.description).toBe('👨‍👩‍👧 家庭');
    expect(image.tags).toEqual([{ key: '环境', value: '生产🔥' }]);
  });

  it('strips NUL from every text field, tag, list entry and from raw (keys too)', () => {
    const image = normalizeImage({
      ImageId: 'm-\u00001', Name: 'a\u0000b', Tags: [{ Key: 'k\u0000', Value: '\u0000v' }], CreateInstances: ['i\u0000-1'],
      ['Odd\u0000Key']: { deep: ['x\u0000y'] },
    }, REGION);
    expect(image.imageId).toBe('m-1');
    expect(image.fields.name).toBe('ab');
    expect(image.tags).toEqual([{ key: 'k', value: 'v' }]);
    expect(image.fields.createInstances).toEqual(['i-1']);
    expect(image.raw).toEqual({ ImageId: 'm-1', Name: 'ab', Tags: [{ Key: 'k', Value: 'v' }], CreateInstances: ['i-1'], OddKey: { deep: ['xy'] } });
    expect(JSON.stringify(image)).not.toContain('\\u0000');
  });

  it('replaces lone surrogates (which Postgres refuses) but keeps valid pairs', () => {
    const image = normalizeImage({ ImageId: 'm-1', Name: 'a\uD800b\uDC00c😀' }, REGION);
    expect(image.fields.name).toBe('a\uFFFDb\uFFFDc😀');
  });

  it('handles huge strings', () => {
    const big = '镜'.repeat(1_000_000);
    expect(normalizeImage({ ImageId: 'm-1', Description: big }, REGION).fields.description).toHaveLength(1_000_000);
  });

  it('sorts tags by key then value and keeps repeated keys only with distinct values', () => {
    const image = normalizeImage({
      ImageId: 'm-1',
      Tags: [{ Key: 'b', Value: '1' }, { Key: 'a', Value: 'z' }, { Key: 'a', Value: 'y' }, { Key: 'a', Value: 'z' }, { Key: 'c' }],
    }, REGION);
    expect(image.tags).toEqual([{ key: 'a', value: 'y' }, { key: 'a', value: 'z' }, { key: 'b', value: '1' }, { key: 'c', value: '' }]);
  });

  it.each([
    ['2022-10-09T02:28:06Z', '2022-10-09T02:28:06.000Z'],
    ['2022-10-09T02:28Z', '2022-10-09T02:28:00.000Z'],
    ['2022-10-09T10:28:06+08:00', '2022-10-09T02:28:06.000Z'],
    ['2022-10-09 02:28:06', '2022-10-09T02:28:06.000Z'],
    ['2022-10-09T02:28:06', '2022-10-09T02:28:06.000Z'],
  ])('parses CreationTime %s as UTC %s', (input, iso) => {
    expect(parseCreationTime(input)).toBe(iso);
    expect(normalizeImage({ ImageId: 'm-1', CreationTime: input }, REGION).fields.creationTime).toBe(iso);
  });

  it.each([
    ['ImageId missing', { Name: 'x' }, /ImageId/],
    ['ImageId a number', { ImageId: 42 }, /ImageId/],
    ['ImageId empty', { ImageId: '  ' }, /ImageId is empty/],
    ['Name an object', { ImageId: 'm-1', Name: { zh: 'x' } }, /Name/],
    ['Tags not an array', { ImageId: 'm-1', Tags: { Tag: [] } }, /Tags must be an array/],
    ['a tag without Key', { ImageId: 'm-1', Tags: [{ Value: 'v' }] }, /Tags\.0\.Key/],
    ['Status not an integer code', { ImageId: 'm-1', Status: 'Available' }, /Status must be a whole number/],
    ['Status fractional', { ImageId: 'm-1', Status: 1.5 }, /Status must be a whole number/],
    ['a negative disk size', { ImageId: 'm-1', RequiredSystemDiskSize: -20 }, /RequiredSystemDiskSize must not be negative/],
    ['an unparseable date', { ImageId: 'm-1', CreationTime: 'yesterday' }, /CreationTime/],
    ['an impossible date', { ImageId: 'm-1', CreationTime: '2022-02-30T00:00:00Z' }, /CreationTime/],
    ['UserId negative', { ImageId: 'm-1', UserId: -1 }, /UserId/],
    ['UserId that lost digits as a JSON number', { ImageId: 'm-1', UserId: 2 ** 60 }, /2\^53/],
    ['UserId not digits', { ImageId: 'm-1', UserId: '18x' }, /UserId/],
    ['a boolean that is not one', { ImageId: 'm-1', InShare: 'yes' }, /InShare/],
    ['CreateInstances with a number', { ImageId: 'm-1', CreateInstances: [7] }, /CreateInstances/],
    ['RegionId of another region', { ImageId: 'm-1', RegionId: 'us-west-1' }, /us-west-1/],
    ['an array', [SEED_ITEM], /not a JSON object/],
    ['null', null, /not a JSON object/],
  ])('throws MalformedResponseError for %s', (_label, item, pattern) => {
    const err = malformed(item);
    expect(err.regionId).toBe(REGION);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.reason).toMatch(pattern);
    expect(err.message).toContain(`region ${REGION}`);
  });

  it('names the image in the error when it has an id', () => {
    expect(malformed({ ImageId: 'm-77', Status: 'x' }).imageId).toBe('m-77');
  });

  it('never throws anything but MalformedResponseError, and never returns NUL', () => {
    const field = fc.oneof(fc.string({ unit: 'binary' }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue());
    const item = fc.record({
      ImageId: fc.oneof(fc.string({ unit: 'binary' }), fc.jsonValue()),
      Name: field, Status: field, CreationTime: fc.oneof(field, fc.date({ noInvalidDate: true }).map((d) => d.toISOString())),
      Tags: fc.oneof(field, fc.array(fc.record({ Key: field, Value: field }))),
      UserId: field, RequiredSystemDiskSize: field, InShare: field, CreateInstances: fc.oneof(field, fc.array(field)),
      Extra: fc.jsonValue(),
    }, { requiredKeys: [] });
    fc.assert(fc.property(fc.oneof(item, fc.jsonValue()), (candidate) => {
      try {
        const image = normalizeImage(candidate, REGION);
        expect(JSON.stringify(image)).not.toContain('\\u0000');
        expect(image.imageId.length).toBeGreaterThan(0);
      } catch (err) {
        expect(err).toBeInstanceOf(MalformedResponseError);
      }
    }), { numRuns: 2000 });
  });
});

describe('cleanJson', () => {
  it('returns clean values as they are (no copy per item on a 100k-image region)', () => {
    const clean = { a: ['x', { b: '镜像 🚀' }], n: 1 };
    expect(cleanJson(clean)).toBe(clean);
    const dirty = { a: ['x', { b: 'y\u0000' }], keep: { z: 1 } };
    const cleaned = cleanJson(dirty) as typeof dirty;
    expect(cleaned).toEqual({ a: ['x', { b: 'y' }], keep: { z: 1 } });
    expect(cleaned.keep).toBe(dirty.keep);
    expect(dirty.a[1]).toEqual({ b: 'y\u0000' });
  });

  it('keeps a "__proto__" key as plain data instead of changing the prototype', () => {
    const parsed: unknown = JSON.parse('{"__proto__": {"polluted": true}, "a\\u0000": 1}');
    const cleaned = cleanJson(parsed) as Record<string, unknown>;
    expect(Object.getPrototypeOf(cleaned)).toBe(Object.prototype);
    expect(Object.keys(cleaned)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
