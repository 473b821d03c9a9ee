import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { ClientError, ListCustomImagesRequest, ListRegionsRequest, sdkClient } from './sdk-client.js';

let emu: EmulatorHandle;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.stop();
});

describe('the real SDK against the default emulator', () => {
  it('lists the 26 regions with their endpoints, in zh-CN by default and en-US on request', async () => {
    const account = emu.accounts[0]!;
    const client = sdkClient(emu.endpoint, account);
    const zh = await client.listRegions(new ListRegionsRequest({}));
    expect(zh.statusCode).toBe(200);
    expect(zh.body?.regions).toHaveLength(26);
    const hz = zh.body?.regions?.find((r) => r.regionId === 'cn-hangzhou');
    expect(hz?.localName).toBe('华东1(杭州)');
    expect(hz?.regionEndpoint).toBe('swas.cn-hangzhou.aliyuncs.com');
    const en = await client.listRegions(new ListRegionsRequest({ acceptLanguage: 'en-US' }));
    expect(en.body?.regions?.find((r) => r.regionId === 'cn-hangzhou')?.localName).toBe('China (Hangzhou)');
    const bad = await client.listRegions(new ListRegionsRequest({ acceptLanguage: 'fr-FR' })).then(() => undefined, (e: unknown) => e);
    expect(bad).toBeInstanceOf(ClientError);
    expect((bad as InstanceType<typeof ClientError>).code).toBe('InvalidParameter.AcceptLanguage');
  });

  it('a large seed can be loaded through the admin API', async () => {
    const { generateSeed } = await import('../../src/emulator/index.js');
    const seed = generateSeed({ accounts: 2, regions: ['cn-hangzhou', 'cn-beijing'], imagesPerRegion: 1500, seed: 2 });
    const res = await fetch(`${emu.url}/_emulator/reset`, { method: 'POST', body: JSON.stringify({ seed }) });
    expect(res.status).toBe(200);
    expect(emu.images()).toHaveLength(6000);
    emu.reset(generateSeed());
    expect(emu.images()).toHaveLength(48);
  });

  it('accepts the signature and pages a generated region', async () => {
    const account = emu.accounts[0]!;
    const client = sdkClient(emu.endpoint, account);
    const first = await client.listCustomImages(new ListCustomImagesRequest({ regionId: 'cn-hangzhou', pageSize: 5, pageNumber: 1 }));
    expect(first.body?.totalCount).toBe('12');
    expect(first.body?.pageSize).toBe('5');
    expect(first.body?.pageNumber).toBe('1');
    expect(first.body?.customImages).toHaveLength(5);
    const img = first.body!.customImages![0]!;
    expect(img.imageId).toMatch(/^m-[0-9a-f]+$/);
    expect(img.userId).toBe(Number(account.uid));
    expect(img.creationTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(['0', '1', '2', '3', '4']).toContain(img.status);
  });
});
