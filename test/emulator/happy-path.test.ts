import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { ListCustomImagesRequest, ListRegionsRequest, sdkClient } from './sdk-client.js';

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
