/**
 * The gateway's refusals as the real SDK sees them, one table: for each case the SDK error's
 * class, `code`, `statusCode` and `accessDeniedDetail` (openapi-core copies the body's
 * AccessDeniedDetail onto ClientError as is).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customImageArn, startEmulator, type EmulatorHandle, type SeedDocument } from '../../src/emulator/index.js';
import { A, STS_A, STS_EXPIRED, fixtureSeed } from './fixture-seed.js';
import { ClientError, ListCustomImagesRequest, ListRegionsRequest, sdkClient, ThrottlingError } from './sdk-client.js';
import { startTamperingProxy, type TamperingProxy } from './tampering-proxy.js';

const INACTIVE = { accessKeyId: 'LTAIinactiveKeyA', accessKeySecret: 'inactiveSecret' };
const LACKS_SHANGHAI = { accessKeyId: 'LTAIramUserNoSh', accessKeySecret: 'ramSecret1' };
const EXPLICIT_DENY = { accessKeyId: 'LTAIramUserDeny', accessKeySecret: 'ramSecret2' };
const NO_PERMISSION = { accessKeyId: 'LTAIramUserNoPerm', accessKeySecret: 'ramSecret3' };
const ROLE = { accessKeyId: 'STS.roleNoShanghai', accessKeySecret: 'roleSecret', securityToken: 'CAISroleTokenForShanghaiTests0123' };
const ONE_IMAGE = { accessKeyId: 'LTAIramUserOneImg', accessKeySecret: 'ramSecret4' };

const allowOnlyHangzhou = [{ effect: 'Allow' as const, actions: ['swas-open:List*'], regions: ['cn-hangzhou'] }];

function seed(): SeedDocument {
  const doc = fixtureSeed();
  const account = doc.accounts[0]!;
  account.accessKeys.push(
    { ...INACTIVE, status: 'Inactive' },
    { ...LACKS_SHANGHAI, permissions: { displayName: 'inventory-bot', statements: allowOnlyHangzhou } },
    { ...EXPLICIT_DENY, permissions: { statements: [{ actions: ['*'] }, { effect: 'Deny', actions: ['swas-open:ListCustomImages'], resources: ['acs:swas-open:cn-shanghai:*:*'] }] } },
    { ...NO_PERMISSION, permissions: { deniedCode: 'NoPermission', statements: [] } },
    { ...ROLE, permissions: { displayName: 'InventoryReader:sync-1', statements: allowOnlyHangzhou } },
    { ...ONE_IMAGE, permissions: { statements: [{ actions: ['swas-open:ListCustomImages'], resources: [customImageArn('cn-hangzhou', A.uid, 'm-a001')] }] } },
  );
  return doc;
}

let emu: EmulatorHandle;
let noSignature: TamperingProxy;
let noSignedHeaders: TamperingProxy;
beforeAll(async () => {
  emu = await startEmulator({ seed: seed() });
  // The SDK always signs completely; these proxies take a piece out after it did.
  noSignature = await startTamperingProxy(emu.port, (h) => { h.authorization = String(h.authorization).replace(/,Signature=[0-9a-f]+/, ''); });
  noSignedHeaders = await startTamperingProxy(emu.port, (h) => { h.authorization = String(h.authorization).replace(/,SignedHeaders=[^,]+/, ''); });
});
afterAll(async () => {
  await noSignature.stop();
  await noSignedHeaders.stop();
  await emu.stop();
});

interface Case {
  name: string;
  creds: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
  endpoint?: () => string;
  region?: string;
  code: string;
  status: number;
  message?: RegExp;
  detail?: Record<string, unknown>;
}

const deniedDetail = (type: string, displayName: string, noPermissionType = 'ImplicitDeny') => ({
  PolicyType: 'AccountLevelIdentityBasedPolicy',
  AuthPrincipalOwnerId: A.uid,
  AuthPrincipalType: type,
  AuthPrincipalDisplayName: displayName,
  NoPermissionType: noPermissionType,
  AuthAction: 'swas-open:ListCustomImages',
  EncodedDiagnosticMessage: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/),
});

const CASES: Case[] = [
  { name: 'signature mismatch (wrong secret)', creds: { ...A, accessKeySecret: 'wrong' }, code: 'SignatureDoesNotMatch', status: 400, message: /^SignatureDoesNotMatch: code: 400, Specified signature does not match our calculation\. server StringToSign is \[ACS3-HMAC-SHA256\n[0-9a-f]{64}\] request id/ },
  { name: 'signature missing from Authorization', creds: A, endpoint: () => noSignature.endpoint, code: 'IncompleteSignature', status: 400, message: /does not conform to Aliyun standards/ },
  { name: 'SignedHeaders missing from Authorization', creds: A, endpoint: () => noSignedHeaders.endpoint, code: 'IncompleteSignature', status: 400 },
  { name: 'malformed STS token', creds: { ...STS_A, securityToken: 'not-an-sts-token' }, code: 'InvalidSecurityToken.Malformed', status: 400, message: /Specified SecurityToken is malformed\./ },
  { name: 'expired STS token', creds: STS_EXPIRED, code: 'InvalidSecurityToken.Expired', status: 400, message: /Specified SecurityToken is expired\./ },
  { name: "another key's STS token", creds: { ...STS_A, securityToken: STS_EXPIRED.securityToken }, code: 'InvalidSecurityToken.MismatchWithAccessKey', status: 400, message: /mismatch with the AccessKey/ },
  { name: 'inactive AccessKey', creds: INACTIVE, code: 'InvalidAccessKeyId.Inactive', status: 400, message: /Specified access key is disabled\./ },
  { name: 'unknown AccessKey', creds: { accessKeyId: 'LTAInobody', accessKeySecret: 'x' }, code: 'InvalidAccessKeyId.NotFound', status: 404 },
  {
    name: 'RAM user whose policy lacks the region (implicit deny)', creds: LACKS_SHANGHAI, region: 'cn-shanghai', code: 'Forbidden.RAM', status: 403,
    message: /User not authorized to operate on the specified resource, or this API doesn't support RAM\./, detail: deniedDetail('SubUser', 'inventory-bot'),
  },
  { name: 'RAM user with an explicit Deny', creds: EXPLICIT_DENY, region: 'cn-shanghai', code: 'Forbidden.RAM', status: 403, detail: deniedDetail('SubUser', 'swas-inventory-user', 'ExplicitDeny') },
  {
    name: 'NoPermission (service-level denial) names resource and action', creds: NO_PERMISSION, code: 'NoPermission', status: 403,
    message: new RegExp(`You are not authorized to do this action\\. Resource: acs:swas-open:cn-hangzhou:${A.uid}:customimage/\\* Action: swas-open:ListCustomImages`),
    detail: deniedDetail('SubUser', 'swas-inventory-user'),
  },
  { name: 'assumed role (STS) lacking the region', creds: ROLE, region: 'cn-shanghai', code: 'Forbidden.RAM', status: 403, detail: deniedDetail('AssumedRoleUser', 'InventoryReader:sync-1') },
  { name: 'image-scoped policy, unfiltered listing', creds: ONE_IMAGE, code: 'Forbidden.RAM', status: 403, detail: deniedDetail('SubUser', 'swas-inventory-user') },
];

describe('gateway errors through the real SDK', () => {
  it.each(CASES)('$name: $status $code', async (c) => {
    const client = sdkClient(c.endpoint?.() ?? emu.endpoint, c.creds);
    const error = await client.listCustomImages(new ListCustomImagesRequest({ regionId: c.region ?? 'cn-hangzhou' })).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    const e = error as InstanceType<typeof ClientError>;
    expect({ code: e.code, status: e.statusCode }).toEqual({ code: c.code, status: c.status });
    if (c.message) expect(e.message).toMatch(c.message);
    if (c.detail) {
      expect(e.accessDeniedDetail).toEqual(c.detail);
      expect(Object.keys(e.accessDeniedDetail ?? {})).toEqual(Object.keys(c.detail));
    } else {
      expect(e.accessDeniedDetail ?? undefined).toBeUndefined();
    }
    expect(emu.callLog().at(-1)).toMatchObject({ status: c.status, code: c.code });
  });

  it("the encoded diagnostic message decodes to what RAM's DecodeDiagnosticMessage would say", async () => {
    const e = await sdkClient(emu.endpoint, LACKS_SHANGHAI).listCustomImages(new ListCustomImagesRequest({ regionId: 'cn-shanghai' })).catch((x: unknown) => x) as InstanceType<typeof ClientError>;
    const decoded: unknown = JSON.parse(Buffer.from(String(e.accessDeniedDetail?.EncodedDiagnosticMessage), 'base64').toString('utf8'));
    expect(decoded).toEqual({
      ExplicitDeny: false, NoPermissionPolicyType: 'AccountLevelIdentityBasedPolicy', AuthAction: 'swas-open:ListCustomImages',
      AuthResource: `acs:swas-open:cn-shanghai:${A.uid}:customimage/*`,
      AuthPrincipal: { AuthPrincipalType: 'SubUser', AuthPrincipalOwnerId: A.uid, AuthPrincipalDisplayName: 'inventory-bot' },
    });
  });

  it('what a restricted key may do it does: its allowed region, ListRegions (no RAM check), and exactly its images', async () => {
    expect((await sdkClient(emu.endpoint, LACKS_SHANGHAI).listCustomImages(new ListCustomImagesRequest({ regionId: 'cn-hangzhou' }))).statusCode).toBe(200);
    expect((await sdkClient(emu.endpoint, ROLE).listCustomImages(new ListCustomImagesRequest({ regionId: 'cn-hangzhou' }))).statusCode).toBe(200);
    expect((await sdkClient(emu.endpoint, NO_PERMISSION).listRegions(new ListRegionsRequest({}))).body?.regions).toHaveLength(26);
    const scoped = await sdkClient(emu.endpoint, ONE_IMAGE).listCustomImages(new ListCustomImagesRequest({ regionId: 'cn-hangzhou', imageIds: '["m-a001"]' }));
    expect(scoped.body?.customImages?.map((i) => i.imageId)).toEqual(['m-a001']);
    const wider = await sdkClient(emu.endpoint, ONE_IMAGE).listCustomImages(new ListCustomImagesRequest({ regionId: 'cn-hangzhou', imageIds: '["m-a001","m-a002"]' })).catch((x: unknown) => x);
    expect((wider as InstanceType<typeof ClientError>).code).toBe('Forbidden.RAM');
  });

  it('the rate limit answers Throttling.User with x-acs-retry-after: a ThrottlingError with retryAfter, and no accessDeniedDetail', async () => {
    let clock = Date.parse('2026-06-01T00:00:00Z');
    const limited = await startEmulator({ seed: fixtureSeed(), rateLimit: { limit: 2, windowMs: 60_000 }, now: () => new Date(clock) });
    try {
      // The client signs with its own clock: keep the server's within the 15-minute skew.
      clock = Date.now();
      const client = sdkClient(limited.endpoint, A);
      const req = () => client.listCustomImages(new ListCustomImagesRequest({ regionId: 'cn-hangzhou' }));
      await req();
      await req();
      const error = await req().catch((x: unknown) => x);
      expect(error).toBeInstanceOf(ThrottlingError);
      const e = error as InstanceType<typeof ThrottlingError>;
      expect([e.code, e.statusCode]).toEqual(['Throttling.User', 400]);
      expect(e.retryAfter).toBeGreaterThan(50_000);
      expect(e.retryAfter).toBeLessThanOrEqual(60_000);
      expect(limited.throttledCalls()).toBe(1);
      // Another key has its own budget.
      expect((await sdkClient(limited.endpoint, STS_A).listCustomImages(new ListCustomImagesRequest({ regionId: 'cn-hangzhou' }))).statusCode).toBe(200);
      clock += 60_000;
      expect((await req()).statusCode).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});
