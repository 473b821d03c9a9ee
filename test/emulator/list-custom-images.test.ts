import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { A, B, fixtureSeed } from './fixture-seed.js';
import { ClientError, ListCustomImagesRequest, ListCustomImagesRequestTag, sdkClient, type SwasClient } from './sdk-client.js';
import { rawCall } from './signed-request.js';

let emu: EmulatorHandle;
let client: SwasClient;
beforeAll(async () => {
  emu = await startEmulator({ seed: fixtureSeed() });
  client = sdkClient(emu.endpoint, A);
});
afterAll(async () => {
  await emu.stop();
});

type ListArgs = ConstructorParameters<typeof ListCustomImagesRequest>[0];
async function ids(args: ListArgs, c: SwasClient = client): Promise<string[]> {
  const res = await c.listCustomImages(new ListCustomImagesRequest({ regionId: 'cn-hangzhou', pageSize: 100, ...args }));
  return (res.body?.customImages ?? []).map((img) => img.imageId ?? '');
}
const tag = (key: string, value?: string) => new ListCustomImagesRequestTag(value === undefined ? { key } : { key, value });

describe('ListCustomImages filters (real SDK)', () => {
  it('no filter: own images plus those shared with the account, newest first, ImageId breaking ties', async () => {
    expect(await ids({})).toEqual(['m-b001', 'm-a001', 'm-a002', 'm-a003', 'm-a004']);
  });

  it('Share=false hides shared images; Share=true and absent include them', async () => {
    expect(await ids({ share: false })).toEqual(['m-a001', 'm-a002', 'm-a003', 'm-a004']);
    expect(await ids({ share: true })).toContain('m-b001');
    expect(await ids({}, sdkClient(emu.endpoint, B))).toEqual(['m-b002', 'm-b001']);
  });

  it('a shared image carries its owner in UserId and InShareUser=true', async () => {
    const res = await client.listCustomImages(new ListCustomImagesRequest({ regionId: 'cn-hangzhou', imageIds: '["m-b001"]' }));
    const img = res.body?.customImages?.[0];
    expect(img?.userId).toBe(Number(B.uid));
    expect(img?.inShareUser).toBe(true);
  });

  it('ImageIds and ImageNames (JSON arrays); other accounts\' private images stay invisible', async () => {
    expect(await ids({ imageIds: JSON.stringify(['m-a003', 'm-a001', 'm-b002', 'm-nope']) })).toEqual(['m-a001', 'm-a003']);
    expect(await ids({ imageNames: JSON.stringify(['数据库备份', 'web-03']) })).toEqual(['m-a002', 'm-a004']);
    expect(await ids({ imageIds: 'm-a002,m-a004' })).toEqual(['m-a002', 'm-a004']);
  });

  it('Tag filters AND together; a key without a value matches any value', async () => {
    expect(await ids({ tag: [tag('env', 'prod')] })).toEqual(['m-a001', 'm-a002']);
    expect(await ids({ tag: [tag('env', 'prod'), tag('team', 'web')] })).toEqual(['m-a001']);
    expect(await ids({ tag: [tag('team')] })).toEqual(['m-a001', 'm-a002', 'm-a003']);
    expect(await ids({ tag: [tag('env', 'prod'), tag('team', 'nobody')] })).toEqual([]);
  });

  it('ResourceGroupId, InstanceId, SystemSnapshotId, DataSnapshotId', async () => {
    expect(await ids({ resourceGroupId: 'rg-1' })).toEqual(['m-a001', 'm-a003']);
    expect(await ids({ instanceId: 'i-2' })).toEqual(['m-a002']);
    expect(await ids({ systemSnapshotId: 's-sys1' })).toEqual(['m-a001']);
    expect(await ids({ dataSnapshotId: 's-data1' })).toEqual(['m-a001']);
    expect(await ids({ resourceGroupId: 'rg-1', instanceId: 'i-2' })).toEqual([]);
  });

  it('regions are separate', async () => {
    expect(await ids({ regionId: 'cn-shanghai' })).toEqual(['m-a101']);
    expect(await ids({ regionId: 'eu-west-1' })).toEqual([]);
  });
});

describe('ListCustomImages paging', () => {
  it('defaults: PageNumber 1, PageSize 10; counts as strings', async () => {
    const res = await client.listCustomImages(new ListCustomImagesRequest({ regionId: 'cn-hangzhou' }));
    expect([res.body?.pageNumber, res.body?.pageSize, res.body?.totalCount]).toEqual(['1', '10', '5']);
  });

  it('walks pages of 2 without gaps or repeats; the last page is short; past the end is empty with the real TotalCount', async () => {
    const pages: string[][] = [];
    for (let page = 1; page <= 4; page += 1) pages.push(await ids({ pageSize: 2, pageNumber: page }));
    expect(pages).toEqual([['m-b001', 'm-a001'], ['m-a002', 'm-a003'], ['m-a004'], []]);
    const past = await client.listCustomImages(new ListCustomImagesRequest({ regionId: 'cn-hangzhou', pageSize: 2, pageNumber: 99 }));
    expect(past.body?.customImages).toEqual([]);
    expect(past.body?.totalCount).toBe('5');
    expect(past.body?.pageNumber).toBe('99');
  });

  it('PageSize 1 and 100 are the edges that are accepted', async () => {
    expect(await ids({ pageSize: 1 })).toEqual(['m-b001']);
    expect(await ids({ pageSize: 100 })).toHaveLength(5);
  });
});

describe('ListCustomImages validation: 400 with a clear Code, a ClientError', () => {
  async function rejected(args: ListArgs): Promise<InstanceType<typeof ClientError>> {
    const e = await client.listCustomImages(new ListCustomImagesRequest(args)).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(ClientError);
    return e as InstanceType<typeof ClientError>;
  }

  it('missing RegionId: MissingParameter', async () => {
    const e = await rejected({});
    expect([e.statusCode, e.code]).toEqual([400, 'MissingParameter']);
    expect(String(e.data?.Message)).toContain('RegionId');
  });

  it('an unknown region: InvalidRegionId', async () => {
    const e = await rejected({ regionId: 'mars-north-1' });
    expect([e.statusCode, e.code]).toEqual([400, 'InvalidRegionId']);
  });

  it('PageSize 0 or 101: InvalidParameter.PageSize; PageNumber 0: InvalidParameter.PageNumber', async () => {
    for (const pageSize of [0, 101]) expect((await rejected({ regionId: 'cn-hangzhou', pageSize })).code).toBe('InvalidParameter.PageSize');
    expect((await rejected({ regionId: 'cn-hangzhou', pageNumber: 0 })).code).toBe('InvalidParameter.PageNumber');
  });

  it('malformed ImageIds / ImageNames JSON, a non-array, more than 100 ids', async () => {
    expect((await rejected({ regionId: 'cn-hangzhou', imageIds: '["m-a001"' })).code).toBe('InvalidParameter.ImageIds');
    expect((await rejected({ regionId: 'cn-hangzhou', imageIds: '[1, 2]' })).code).toBe('InvalidParameter.ImageIds');
    expect((await rejected({ regionId: 'cn-hangzhou', imageNames: '[{"a":1}]' })).code).toBe('InvalidParameter.ImageNames');
    const many = JSON.stringify(Array.from({ length: 101 }, (_, i) => `m-${i}`));
    const e = await rejected({ regionId: 'cn-hangzhou', imageIds: many });
    expect(e.code).toBe('InvalidParameter.ImageIds');
    expect(String(e.data?.Message)).toContain('101');
    expect(await ids({ imageIds: JSON.stringify(Array.from({ length: 100 }, (_, i) => (i === 0 ? 'm-a001' : `m-${i}`))) })).toEqual(['m-a001']);
  });

  it('more than 20 tags: InvalidParameter.Tag; 20 are fine', async () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => tag(`k${i}`, 'v'));
    expect((await rejected({ regionId: 'cn-hangzhou', tag: tags(21) })).code).toBe('InvalidParameter.Tag');
    expect(await ids({ tag: tags(20) })).toEqual([]);
  });

  it('Share must be a boolean; ClientToken at most 64 ASCII characters', async () => {
    const share = await rawCall({ port: emu.port, ...A, query: { RegionId: 'cn-hangzhou', Share: 'maybe' } });
    expect([share.status, share.json.Code]).toEqual([400, 'InvalidParameter.Share']);
    expect((await rejected({ regionId: 'cn-hangzhou', clientToken: 'x'.repeat(65) })).code).toBe('InvalidParameter.ClientToken');
    expect(await ids({ clientToken: '123e4567-e89b-12d3-a456-426655440000' })).toHaveLength(5);
  });
});

describe('the wire shape, read raw (JSON types as in the API page)', () => {
  it('types and key order of one item and the envelope', async () => {
    const res = await rawCall({ port: emu.port, ...A, query: { RegionId: 'cn-hangzhou', ImageIds: '["m-a001"]' } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json)).toEqual(['RequestId', 'CustomImages', 'TotalCount', 'PageSize', 'PageNumber']);
    expect(res.json).toMatchObject({ TotalCount: '1', PageSize: '10', PageNumber: '1' });
    const item = (res.json.CustomImages as Array<Record<string, unknown>>)[0]!;
    expect(Object.keys(item)).toEqual([
      'CreationTime', 'DataSnapshotName', 'SystemSnapshotId', 'InShare', 'InShareUser', 'InstanceId', 'DataSnapshotId', 'RegionId',
      'SystemSnapshotName', 'Description', 'Name', 'ImageId', 'Status', 'Tags', 'InstanceName', 'ResourceGroupId', 'CreateInstances',
      'UserId', 'OsType', 'RequiredSystemDiskSize', 'RequiredDataDiskSize', 'SourceImageName', 'SourceImageVersion',
    ]);
    expect(item).toMatchObject({
      CreationTime: '2024-01-03T00:00:00Z', ImageId: 'm-a001', Status: '1', UserId: 1234567890123456, Description: '自定义镜像-1',
      Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'web' }], CreateInstances: ['ci-1', 'ci-2'],
      InShare: false, InShareUser: false, RequiredSystemDiskSize: 20, RequiredDataDiskSize: 0,
    });
    expect(res.text).toContain('"UserId":1234567890123456');
    expect(res.text).toContain('自定义镜像-1');
  });
});
