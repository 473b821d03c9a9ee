/**
 * Permissions, key status, the rate limit and the Host check changed and observed at run time:
 * through the admin API (as an operator would) and through the handle, with the real SDK calling.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { A, fixtureSeed } from './fixture-seed.js';
import { ClientError, ListCustomImagesRequest, sdkClient } from './sdk-client.js';
import { admin, rawCall } from './signed-request.js';

let emu: EmulatorHandle;
beforeAll(async () => {
  emu = await startEmulator({ seed: fixtureSeed() });
});
afterAll(async () => {
  await emu.stop();
});

const list = (regionId = 'cn-hangzhou') => sdkClient(emu.endpoint, A).listCustomImages(new ListCustomImagesRequest({ regionId }))
  .then((r) => ({ status: r.statusCode, code: 'OK' }), (e: InstanceType<typeof ClientError>) => ({ status: e.statusCode, code: e.code }));

describe('admin API: keys', () => {
  it('lists keys without secrets or tokens', async () => {
    const res = await admin(emu.url, 'GET', '/keys');
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.json);
    expect(text).toContain(A.accessKeyId);
    expect(text).not.toContain(A.accessKeySecret);
    expect(text).not.toContain('CAIS-valid-token-A');
    expect((res.json as { keys: Array<{ accessKeyId: string; status: string; permissions: unknown }> }).keys[0]).toEqual({ accessKeyId: A.accessKeyId, accountUid: A.uid, sts: false, status: 'Active', permissions: null });
  });

  it('restricts a root key at run time, denies the region it lacks, and lifts it again', async () => {
    expect(await list('cn-shanghai')).toEqual({ status: 200, code: 'OK' });
    const patched = await admin(emu.url, 'PATCH', `/keys/${A.accessKeyId}`, { permissions: { statements: [{ actions: ['swas-open:ListCustomImages'], regions: ['cn-hangzhou'] }] } });
    expect(patched.status).toBe(200);
    expect(await list('cn-shanghai')).toEqual({ status: 403, code: 'Forbidden.RAM' });
    expect(await list('cn-hangzhou')).toEqual({ status: 200, code: 'OK' });
    expect((await admin(emu.url, 'PATCH', `/keys/${A.accessKeyId}`, { permissions: null })).status).toBe(200);
    expect(await list('cn-shanghai')).toEqual({ status: 200, code: 'OK' });
  });

  it('disables and re-enables a key; reset() undoes run-time key changes', async () => {
    emu.updateKey(A.accessKeyId, { status: 'Inactive' });
    expect(await list()).toEqual({ status: 400, code: 'InvalidAccessKeyId.Inactive' });
    emu.reset();
    expect(await list()).toEqual({ status: 200, code: 'OK' });
  });

  it('refuses bad patches and unknown keys', async () => {
    expect((await admin(emu.url, 'PATCH', `/keys/${A.accessKeyId}`, { status: 'Sleeping' })).status).toBe(400);
    expect((await admin(emu.url, 'PATCH', `/keys/${A.accessKeyId}`, { permissions: { statements: [{ actions: [] }] } })).status).toBe(400);
    expect((await admin(emu.url, 'PATCH', '/keys/LTAInobody', { status: 'Inactive' })).status).toBe(404);
  });
});

describe('admin API: rate limit', () => {
  it('is off by default in process, set and read at run time, 0 turns it off', async () => {
    expect((await admin(emu.url, 'GET', '/rate-limit')).json).toEqual({ limit: 0, windowMs: 1000 });
    expect((await admin(emu.url, 'PUT', '/rate-limit', { limit: 1, windowMs: 60_000 })).status).toBe(200);
    await list();
    expect(await list()).toEqual({ status: 400, code: 'Throttling.User' });
    expect((await admin(emu.url, 'PUT', '/rate-limit', { limit: 0 })).json).toEqual({ limit: 0, windowMs: 1000 });
    expect(await list()).toEqual({ status: 200, code: 'OK' });
    expect((await admin(emu.url, 'PUT', '/rate-limit', { limit: -1 })).status).toBe(400);
  });
});

describe('the Host check', () => {
  const base = () => ({ port: emu.port, ...A, query: { RegionId: 'cn-hangzhou' } });

  it("a region's call sent to another region's endpoint is refused; its own endpoint, VPC endpoint and loopback are served", async () => {
    const wrong = await rawCall({ ...base(), host: 'swas.cn-shanghai.aliyuncs.com' });
    expect([wrong.status, wrong.json.Code]).toEqual([400, 'InvalidOperation.NotSupportedEndpoint']);
    expect(String(wrong.json.Message)).toContain("can't operate this region");
    expect(wrong.json.HostId).toBe('swas.cn-shanghai.aliyuncs.com');
    for (const host of ['swas.cn-hangzhou.aliyuncs.com', 'swas-vpc.cn-hangzhou.aliyuncs.com:443', 'swas-open.aliyuncs.com', 'localhost:9100']) {
      expect((await rawCall({ ...base(), host })).status, host).toBe(200);
    }
    // ListRegions answers from any region's endpoint.
    expect((await rawCall({ ...base(), host: 'swas.cn-shanghai.aliyuncs.com', action: 'ListRegions', query: {} })).status).toBe(200);
  });
});

describe('generateSeed({ keyLacksRegions })', () => {
  it("gives that account's key a policy without those regions; the other accounts keep root keys", async () => {
    const doc = generateSeed({ accounts: 2, keyLacksRegions: { account: 1, regions: ['cn-beijing'] } });
    expect(doc.accounts[0]?.accessKeys[0]?.permissions).toBeUndefined();
    const gen = await startEmulator({ seed: doc });
    try {
      const [first, second] = gen.accounts;
      const call = (key: typeof first, regionId: string) => sdkClient(gen.endpoint, key!).listCustomImages(new ListCustomImagesRequest({ regionId }))
        .then(() => 'OK', (e: InstanceType<typeof ClientError>) => e.code);
      expect(await call(second, 'cn-beijing')).toBe('Forbidden.RAM');
      expect(await call(second, 'cn-hangzhou')).toBe('OK');
      expect(await call(first, 'cn-beijing')).toBe('OK');
    } finally {
      await gen.stop();
    }
  });
});
