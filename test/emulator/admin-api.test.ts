import os from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isLoopback } from '../../src/emulator/admin-routes.js';
import { startEmulator, type EmulatorHandle, type StoredImage } from '../../src/emulator/index.js';
import { A, B, STS_A, fixtureSeed } from './fixture-seed.js';
import { ListCustomImagesRequest, sdkClient, ServerError } from './sdk-client.js';
import { admin } from './signed-request.js';

let emu: EmulatorHandle;
beforeAll(async () => {
  emu = await startEmulator({ seed: fixtureSeed() });
});
beforeEach(() => {
  emu.reset();
});
afterAll(async () => {
  await emu.stop();
});

async function listedIds(account = A, regionId = 'cn-hangzhou'): Promise<string[]> {
  const res = await sdkClient(emu.endpoint, account).listCustomImages(new ListCustomImagesRequest({ regionId, pageSize: 100 }));
  return (res.body?.customImages ?? []).map((img) => img.imageId ?? '');
}

describe('admin API: scripting change history', () => {
  it('creates an image (generated m-<hex> id, CreationTime now) that the SDK then lists first', async () => {
    const created = await admin(emu.url, 'POST', '/images', { ownerUid: A.uid, regionId: 'cn-hangzhou', name: '新镜像 new', tags: [{ key: 'env', value: 'prod' }] });
    expect(created.status).toBe(201);
    const image = created.json as StoredImage;
    expect(image.imageId).toMatch(/^m-[0-9a-f]{20}$/);
    expect(image.creationTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect((await listedIds())[0]).toBe(image.imageId);
  });

  it('changes any field, keeping the ones not sent', async () => {
    const res = await admin(emu.url, 'PATCH', '/images/m-a001', { status: '2', name: 'renamed', description: '改了', tags: [{ key: 'k', value: 'v' }], requiredDataDiskSize: 40 });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: '2', name: 'renamed', description: '改了', tags: [{ key: 'k', value: 'v' }], resourceGroupId: 'rg-1', instanceId: 'i-1' });
    const listed = await sdkClient(emu.endpoint, A).listCustomImages(new ListCustomImagesRequest({ regionId: 'cn-hangzhou', imageIds: '["m-a001"]' }));
    expect(listed.body?.customImages?.[0]).toMatchObject({ status: '2', name: 'renamed', requiredDataDiskSize: 40, resourceGroupId: 'rg-1' });
  });

  it('deletes an image', async () => {
    expect((await admin(emu.url, 'DELETE', '/images/m-a002')).status).toBe(200);
    expect(await listedIds()).not.toContain('m-a002');
    expect((await admin(emu.url, 'GET', '/images/m-a002')).status).toBe(404);
  });

  it('shares and unshares an image across accounts', async () => {
    expect(await listedIds(B)).not.toContain('m-a003');
    expect((await admin(emu.url, 'POST', '/images/m-a003/shares', { accountUid: B.uid })).status).toBe(200);
    expect(await listedIds(B)).toContain('m-a003');
    expect((await admin(emu.url, 'DELETE', `/images/m-a003/shares/${B.uid}`)).status).toBe(200);
    expect(await listedIds(B)).not.toContain('m-a003');
  });

  it('rejects bad input with 4xx and a Code', async () => {
    expect(await admin(emu.url, 'PATCH', '/images/m-a001', { status: '9' })).toMatchObject({ status: 400, json: { Code: 'InvalidImagePatch' } });
    expect(await admin(emu.url, 'PATCH', '/images/m-a001', { unknownField: 1 })).toMatchObject({ status: 400 });
    expect(await admin(emu.url, 'POST', '/images', { ownerUid: '42', regionId: 'cn-hangzhou', name: 'x' })).toMatchObject({ status: 404, json: { Code: 'AccountNotFound' } });
    expect(await admin(emu.url, 'POST', '/images', { imageId: 'm-a001', ownerUid: A.uid, regionId: 'cn-hangzhou', name: 'dup' })).toMatchObject({ status: 409 });
    expect(await admin(emu.url, 'POST', '/faults', { kind: 'explode' })).toMatchObject({ status: 400 });
    expect(await admin(emu.url, 'GET', '/nope')).toMatchObject({ status: 404, json: { Code: 'NotFound' } });
    const notJson = await fetch(`${emu.url}/_emulator/images`, { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
  });

  it('adds, lists, removes and clears faults', async () => {
    const added = await admin(emu.url, 'POST', '/faults', { id: 'boom', kind: 'error', code: 'InternalError' });
    expect(added.status).toBe(201);
    await expect(sdkClient(emu.endpoint, A).listCustomImages(new ListCustomImagesRequest({ regionId: 'cn-hangzhou' }))).rejects.toBeInstanceOf(ServerError);
    expect((await admin(emu.url, 'GET', '/faults')).json).toMatchObject({ faults: [{ id: 'boom', calls: 1 }] });
    expect((await admin(emu.url, 'DELETE', '/faults/boom')).status).toBe(200);
    expect((await listedIds()).length).toBe(5);
    await admin(emu.url, 'PUT', '/faults', [{ kind: 'throttle' }, { kind: 'latency', ms: 1 }]);
    expect(emu.faults()).toHaveLength(2);
    await admin(emu.url, 'DELETE', '/faults');
    expect(emu.faults()).toHaveLength(0);
  });

  it('reads the state and the call log, which never hold a secret or a token', async () => {
    await listedIds();
    await sdkClient(emu.endpoint, STS_A).listCustomImages(new ListCustomImagesRequest({ regionId: 'cn-shanghai', pageNumber: 2, pageSize: 5 }));
    const calls = (await admin(emu.url, 'GET', '/calls')).json as { calls: Array<Record<string, unknown>> };
    expect(calls.calls).toHaveLength(2);
    // seq keeps counting across resets, so a `since` cursor held by a test never goes backwards.
    const firstSeq = calls.calls[0]!.seq as number;
    expect(calls.calls[1]).toMatchObject({
      seq: firstSeq + 1, action: 'ListCustomImages', accountUid: A.uid, accessKeyId: STS_A.accessKeyId, region: 'cn-shanghai', page: 2, pageSize: 5, status: 200, code: 'OK',
    });
    expect(typeof calls.calls[1]!.time).toBe('string');
    const since = (await admin(emu.url, 'GET', `/calls?since=${firstSeq}`)).json as { calls: unknown[] };
    expect(since.calls).toHaveLength(1);
    const state = await admin(emu.url, 'GET', '/state');
    const everything = JSON.stringify([calls, state.json, emu.callLog(), emu.state()]);
    expect(everything).toContain(STS_A.accessKeyId);
    for (const secret of [A.accessKeySecret, STS_A.accessKeySecret, STS_A.securityToken]) expect(everything).not.toContain(secret);
    expect(state.json).toMatchObject({ accounts: [{ uid: A.uid, accessKeyIds: expect.arrayContaining([A.accessKeyId]) }, { uid: B.uid }] });
    expect((state.json as { images: unknown[] }).images).toHaveLength(7);
    expect((await admin(emu.url, 'DELETE', '/calls')).status).toBe(200);
    expect(emu.callLog()).toHaveLength(0);
  });

  it('reset restores the start seed, or loads a new one', async () => {
    emu.deleteImage('m-a001');
    emu.addFault({ kind: 'throttle' });
    expect((await admin(emu.url, 'POST', '/reset')).status).toBe(200);
    expect(emu.images()).toHaveLength(7);
    expect(emu.faults()).toHaveLength(0);
    const seed = { accounts: [{ uid: '1111222233334444', accessKeys: [{ accessKeyId: 'LTAInew', accessKeySecret: 'newsecret' }] }], images: [] };
    expect((await admin(emu.url, 'POST', '/reset', { seed })).status).toBe(200);
    expect(emu.accounts).toEqual([{ uid: '1111222233334444', accessKeyId: 'LTAInew', accessKeySecret: 'newsecret' }]);
    expect((await admin(emu.url, 'POST', '/reset', { seed: { accounts: [] } })).status).toBe(400);
    // A plain reset now returns to the seed loaded last; put the fixture back for the other tests.
    emu.reset();
    expect(emu.accounts[0]?.uid).toBe('1111222233334444');
    emu.reset(fixtureSeed());
  });

  it('the in-process handle mirrors the routes', () => {
    const created = emu.createImage({ ownerUid: B.uid, regionId: 'cn-beijing', name: 'in-process' });
    expect(emu.updateImage(created.imageId, { status: '4' }).status).toBe('4');
    expect(emu.shareImage(created.imageId, A.uid).sharedWith).toEqual([A.uid]);
    expect(emu.images({ regionId: 'cn-beijing' })).toHaveLength(1);
    emu.deleteImage(created.imageId);
    expect(emu.images({ regionId: 'cn-beijing' })).toHaveLength(0);
    expect(() => emu.deleteImage(created.imageId)).toThrow(/No image/);
  });
});

describe('admin API is loopback only', () => {
  it('classifies remote addresses', () => {
    for (const a of ['127.0.0.1', '127.8.9.1', '::1', '::ffff:127.0.0.1']) expect(isLoopback(a)).toBe(true);
    for (const a of ['10.0.0.2', '::ffff:192.168.1.4', 'fe80::1', undefined]) expect(isLoopback(a)).toBe(false);
  });

  const external = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  it.runIf(external !== undefined)(`answers 403 to a non-loopback client (${external ?? 'no external interface'}) while the API still works`, async () => {
    const wide = await startEmulator({ host: '0.0.0.0', seed: fixtureSeed() });
    try {
      const port = wide.port;
      const res = await fetch(`http://${external}:${port}/_emulator/state`);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { Code: string }).Code).toBe('Forbidden');
      expect((await fetch(`http://127.0.0.1:${port}/_emulator/health`)).status).toBe(200);
      const api = await sdkClient(`${external}:${port}`, A).listCustomImages(new ListCustomImagesRequest({ regionId: 'cn-hangzhou' }));
      expect(api.statusCode).toBe(200);
    } finally {
      await wide.stop();
    }
  });

  it('keeps as many calls in its log as it was told (callLogLimit), the latest ones', async () => {
    const small = await startEmulator({ seed: fixtureSeed(), callLogLimit: 4 });
    try {
      // The log drops its oldest in chunks once it is 10% past the limit.
      for (let i = 0; i < 6; i++) await sdkClient(small.endpoint, A).listCustomImages(new ListCustomImagesRequest({ regionId: 'cn-hangzhou', pageNumber: i + 1 }));
      const pages = small.callLog().map((c) => c.page);
      expect(pages.length).toBeLessThanOrEqual(5);
      expect(pages.at(-1)).toBe(6);
      expect(pages).toEqual([...pages].sort((a, b) => (a ?? 0) - (b ?? 0)));
    } finally {
      await small.stop();
    }
  });
});
