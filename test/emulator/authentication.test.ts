import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { A, STS_A, STS_EXPIRED, fixtureSeed } from './fixture-seed.js';
import { ClientError, ListCustomImagesRequest, ListRegionsRequest, sdkClient } from './sdk-client.js';
import { buildSignedRequest, rawCall, sendRaw } from './signed-request.js';

let emu: EmulatorHandle;
let skewMs = 0;
beforeAll(async () => {
  // The server clock can be moved per test: the client keeps the real time.
  emu = await startEmulator({ seed: fixtureSeed(), now: () => new Date(Date.now() + skewMs) });
});
afterAll(async () => {
  await emu.stop();
});

async function sdkError(promise: Promise<unknown>): Promise<InstanceType<typeof ClientError>> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ClientError);
  return error as InstanceType<typeof ClientError>;
}

const list = () => new ListCustomImagesRequest({ regionId: 'cn-hangzhou' });

describe('signature V3 through the real SDK', () => {
  it('accepts a correctly signed call and maps it to the account', async () => {
    const res = await sdkClient(emu.endpoint, A).listCustomImages(list());
    expect(res.statusCode).toBe(200);
    expect(res.body?.customImages?.every((img) => img.userId !== undefined)).toBe(true);
    const last = emu.callLog().at(-1);
    expect(last).toMatchObject({ action: 'ListCustomImages', accountUid: A.uid, accessKeyId: A.accessKeyId, status: 200, code: 'OK', region: 'cn-hangzhou' });
  });

  it('unknown AccessKeyId: 404 InvalidAccessKeyId.NotFound, a ClientError', async () => {
    const e = await sdkError(sdkClient(emu.endpoint, { accessKeyId: 'LTAInobody', accessKeySecret: 'x' }).listCustomImages(list()));
    expect(e.statusCode).toBe(404);
    expect(e.code).toBe('InvalidAccessKeyId.NotFound');
    expect(e.data?.Recommend).toContain('q=InvalidAccessKeyId.NotFound');
    expect(e.requestId).toMatch(/^[0-9A-F-]{36}$/);
  });

  it('wrong secret: 400 SignatureDoesNotMatch with the server StringToSign', async () => {
    const e = await sdkError(sdkClient(emu.endpoint, { ...A, accessKeySecret: 'not-the-secret' }).listCustomImages(list()));
    expect(e.statusCode).toBe(400);
    expect(e.code).toBe('SignatureDoesNotMatch');
    expect(String(e.data?.Message)).toMatch(/^Specified signature does not match our calculation\. server StringToSign is \[ACS3-HMAC-SHA256\n[0-9a-f]{64}\]$/);
  });

  it('STS credentials declared in the seed are accepted', async () => {
    const res = await sdkClient(emu.endpoint, STS_A).listCustomImages(list());
    expect(res.statusCode).toBe(200);
    expect(emu.callLog().at(-1)).toMatchObject({ accountUid: A.uid, accessKeyId: STS_A.accessKeyId });
  });

  it('STS: a wrong token, a missing token and an expired token are refused', async () => {
    const wrong = await sdkError(sdkClient(emu.endpoint, { ...STS_A, securityToken: 'CAIS-forged' }).listCustomImages(list()));
    expect([wrong.statusCode, wrong.code]).toEqual([400, 'InvalidSecurityToken.MismatchWithAccessKey']);
    const missing = await sdkError(sdkClient(emu.endpoint, { accessKeyId: STS_A.accessKeyId, accessKeySecret: STS_A.accessKeySecret }).listCustomImages(list()));
    expect([missing.statusCode, missing.code]).toEqual([400, 'MissingSecurityToken']);
    const expired = await sdkError(sdkClient(emu.endpoint, STS_EXPIRED).listCustomImages(list()));
    expect([expired.statusCode, expired.code]).toEqual([400, 'InvalidSecurityToken.Expired']);
  });

  it('x-acs-date more than 15 minutes off either way: 400 InvalidTimeStamp.Expired; 14 minutes is fine', async () => {
    try {
      for (const offset of [16, -16]) {
        skewMs = offset * 60_000;
        const e = await sdkError(sdkClient(emu.endpoint, A).listRegions(new ListRegionsRequest({})));
        expect([e.statusCode, e.code]).toEqual([400, 'InvalidTimeStamp.Expired']);
      }
      skewMs = 14 * 60_000;
      expect((await sdkClient(emu.endpoint, A).listRegions(new ListRegionsRequest({}))).statusCode).toBe(200);
    } finally {
      skewMs = 0;
    }
  });

  it('an action the API does not have: 404 InvalidAction.NotFound, a ClientError', async () => {
    const client = sdkClient(emu.endpoint, A);
    const e = await sdkError(client.listInstances(new (await import('@alicloud/swas-open20200601')).ListInstancesRequest({ regionId: 'cn-hangzhou' })));
    expect([e.statusCode, e.code]).toEqual([404, 'InvalidAction.NotFound']);
  });
});

describe('rejections the SDK cannot produce (hand-built, signed by the SDK signer)', () => {
  const base = () => ({ port: emu.port, ...A, query: { RegionId: 'cn-hangzhou' } });

  it('the hand-built request itself is accepted, so each tamper below is what fails', async () => {
    const res = await rawCall(base());
    expect(res.status).toBe(200);
    expect(res.json.TotalCount).toBe('5');
  });

  it('a replayed nonce: 400 SignatureNonceUsed', async () => {
    const req = buildSignedRequest(base());
    expect((await sendRaw(emu.port, req)).status).toBe(200);
    const again = await sendRaw(emu.port, req);
    expect([again.status, again.json.Code]).toEqual([400, 'SignatureNonceUsed']);
  });

  it('a query changed after signing: SignatureDoesNotMatch', async () => {
    const res = await rawCall({ ...base(), tamper: (r) => { r.path = '/?RegionId=cn-shanghai'; } });
    expect([res.status, res.json.Code]).toEqual([400, 'SignatureDoesNotMatch']);
  });

  it('a body that does not match x-acs-content-sha256: SignatureDoesNotMatch naming the payload hash', async () => {
    const res = await rawCall({ ...base(), form: { PageSize: '5' }, tamper: (r) => { r.body = 'PageSize=6'; } });
    expect([res.status, res.json.Code]).toEqual([400, 'SignatureDoesNotMatch']);
    expect(String(res.json.Message)).toContain('x-acs-content-sha256');
  });

  it('a form body is accepted like query parameters', async () => {
    const res = await rawCall({ port: emu.port, ...A, form: { RegionId: 'cn-hangzhou', PageSize: '2' } });
    expect(res.status).toBe(200);
    expect(res.json.PageSize).toBe('2');
    expect(res.json.CustomImages).toHaveLength(2);
  });

  it('Action and Version as parameters instead of headers', async () => {
    const res = await rawCall({ ...base(), query: { Action: 'ListRegions', Version: '2020-06-01' }, action: '', version: '' });
    expect(res.status).toBe(200);
    expect(res.json.Regions).toHaveLength(26);
  });

  it('a wrong version: 400 InvalidVersion; an unknown action: 404 InvalidAction.NotFound', async () => {
    const version = await rawCall({ ...base(), version: '2017-06-01' });
    expect([version.status, version.json.Code]).toEqual([400, 'InvalidVersion']);
    const action = await rawCall({ ...base(), action: 'DescribeNothing' });
    expect([action.status, action.json.Code]).toEqual([404, 'InvalidAction.NotFound']);
  });

  it('an x-acs-* header sent but not signed: IncompleteSignature', async () => {
    const res = await rawCall({ ...base(), tamper: (r) => { r.headers['x-acs-extra'] = '1'; } });
    expect([res.status, res.json.Code]).toEqual([400, 'IncompleteSignature']);
    expect(String(res.json.Message)).toContain('x-acs-extra');
  });

  it('no Authorization header, or a malformed x-acs-date', async () => {
    const none = await rawCall({ ...base(), tamper: (r) => { delete r.headers.authorization; } });
    expect([none.status, none.json.Code]).toEqual([400, 'IncompleteSignature']);
    const badDate = await rawCall({ ...base(), tamper: (r) => { r.headers['x-acs-date'] = 'yesterday'; } });
    expect([badDate.status, badDate.json.Code]).toEqual([400, 'InvalidTimeStamp.Format']);
  });

  it('STS header checks: x-acs-accesskey-id must match the Credential; a token with a permanent key is refused', async () => {
    const mismatch = await rawCall({ port: emu.port, ...STS_A, query: { RegionId: 'cn-hangzhou' }, tamper: (r) => { r.headers['x-acs-accesskey-id'] = 'STS.other'; } });
    expect([mismatch.status, mismatch.json.Code]).toEqual([400, 'InvalidAccessKeyId.Mismatch']);
    const signedSts = await rawCall({ port: emu.port, ...STS_A, query: { RegionId: 'cn-hangzhou' } });
    expect(signedSts.status).toBe(200);
    const permanentWithToken = await rawCall({ ...base(), securityToken: 'CAIS-anything' });
    expect([permanentWithToken.status, permanentWithToken.json.Code]).toEqual([400, 'InvalidSecurityToken.MismatchWithAccessKey']);
  });

  it('a missing nonce: MissingSignatureNonce', async () => {
    const res = await rawCall({ ...base(), tamper: (r) => { delete r.headers['x-acs-signature-nonce']; } });
    expect([res.status, res.json.Code]).toEqual([400, 'MissingSignatureNonce']);
  });

  it('the method is signed: GET signed as GET is accepted, a POST signature sent as GET is not', async () => {
    const get = await rawCall({ ...base(), method: 'GET' });
    expect(get.status).toBe(200);
    const asGet = await sendRaw(emu.port, { ...buildSignedRequest(base()), method: 'GET' });
    expect([asGet.status, asGet.json.Code]).toEqual([400, 'SignatureDoesNotMatch']);
  });

  it('the standard error body: RequestId, HostId, Code, Message, Recommend', async () => {
    const res = await rawCall({ ...base(), accessKeyId: 'LTAInobody' });
    expect(Object.keys(res.json).sort()).toEqual(['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
    expect(res.json.Message).toBe('Specified access key is not found.');
    expect(res.headers['content-type']).toBe('application/json;charset=utf-8');
  });
});
