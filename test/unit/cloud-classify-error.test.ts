/** Real SDK error classes, built the way openapi-core 1.0.8's doRequest builds them. */
import { ClientError, ServerError, ThrottlingError } from '@alicloud/openapi-core';
import { describe, expect, it } from 'vitest';
import { classifyError } from '../../src/sync/classify-error.js';
import { CredentialConfigError } from '../../src/cloud/credentials.js';
import { MalformedResponseError } from '../../src/cloud/malformed-response.js';

function sdkError(Cls: typeof ClientError | typeof ServerError | typeof ThrottlingError, statusCode: number, code: string, extra: Record<string, unknown> = {}) {
  return new Cls({
    statusCode,
    code,
    message: `code: ${statusCode}, something about ${code} request id: 5C3B-REQ`,
    data: { Code: code, RequestId: '5C3B-REQ' },
    requestId: '5C3B-REQ',
    ...extra,
  });
}

describe('classifyError', () => {
  it('classifies ThrottlingError as throttled with retryAfterMs from x-acs-retry-after', () => {
    const c = classifyError(sdkError(ThrottlingError, 400, 'Throttling.User', { retryAfter: 1500 }));
    expect(c).toMatchObject({ kind: 'throttled', code: 'Throttling.User', retryAfterMs: 1500, statusCode: 400, requestId: '5C3B-REQ' });
  });

  it('classifies a Throttling code as throttled even when not thrown as ThrottlingError', () => {
    const c = classifyError(sdkError(ClientError, 400, 'Throttling.Api'));
    expect(c.kind).toBe('throttled');
    expect(c.retryAfterMs).toBeUndefined();
  });

  it.each([
    [sdkError(ServerError, 500, 'InternalError'), 'InternalError'],
    [sdkError(ServerError, 503, 'ServiceUnavailable'), 'ServiceUnavailable'],
    [sdkError(ServerError, 502, 'undefined'), 'HTTP502'],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9100'), { code: 'ECONNREFUSED' }), 'ECONNREFUSED'],
    [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'ECONNRESET'],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'ECONNRESET'],
    [Object.assign(new Error('ReadTimeout(10000). POST http://127.0.0.1:9100/ failed.'), { name: 'RequestTimeoutError' }), 'NetworkError'],
    [new Error('socket hang up'), 'NetworkError'],
  ])('classifies %s as transient', (error, code) => {
    expect(classifyError(error)).toMatchObject({ kind: 'transient', code });
  });

  it.each([
    [sdkError(ClientError, 404, 'InvalidAccessKeyId.NotFound')],
    [sdkError(ClientError, 400, 'IncompleteSignature')],
    [sdkError(ClientError, 400, 'SignatureDoesNotMatch')],
    [sdkError(ClientError, 403, 'Forbidden.RAM')],
    [sdkError(ClientError, 403, 'NoPermission')],
    [sdkError(ClientError, 400, 'InvalidParameter')],
    [sdkError(ClientError, 400, 'MissingParameter')],
    [sdkError(ClientError, 400, 'InvalidTimeStamp.Expired')],
    [sdkError(ClientError, 400, 'SomethingNewTheApiInvented')],
  ])('classifies %s as permanent', (error) => {
    expect(classifyError(error)).toMatchObject({ kind: 'permanent', code: error.code, statusCode: error.statusCode });
  });

  it('treats a reused nonce as transient: a retry signs with a fresh one', () => {
    expect(classifyError(sdkError(ClientError, 400, 'SignatureNonceUsed')).kind).toBe('transient');
  });

  it('classifies malformed data as permanent: the same answer would come back', () => {
    expect(classifyError(new MalformedResponseError('cn-hangzhou', 'Name: expected string'))).toMatchObject({ kind: 'permanent', code: 'MalformedResponse' });
    expect(classifyError(new Error('type of name is mismatch, expect string, but object'))).toMatchObject({ kind: 'permanent', code: 'MalformedResponse' });
    expect(classifyError(new SyntaxError('Unexpected token < in JSON at position 0'))).toMatchObject({ kind: 'permanent' });
  });

  it('treats a body cut short as transient: the next attempt may get all of it', () => {
    expect(classifyError(new SyntaxError('Unexpected end of JSON input'))).toMatchObject({ kind: 'transient', code: 'TruncatedResponse' });
  });

  it('classifies a missing credential as permanent', () => {
    expect(classifyError(new CredentialConfigError('Environment variable LAB_AK is not set')).kind).toBe('permanent');
  });

  it('treats anything unknown as transient (a retry is cheaper than a lost region)', () => {
    expect(classifyError('weird')).toMatchObject({ kind: 'transient', code: 'UnknownError', message: 'weird' });
    expect(classifyError(undefined).kind).toBe('transient');
  });

  it('redacts anything that looks like a secret from the message', () => {
    const c = classifyError(new Error('failed: AccessKeySecret=abc123 and SecurityToken: tok.en'));
    expect(c.message).not.toContain('abc123');
    expect(c.message).not.toContain('tok.en');
  });
});

describe('classifyError: RAM denials', () => {
  const detail = {
    PolicyType: 'AccountLevelIdentityBasedPolicy', AuthPrincipalOwnerId: '1234567890123456', AuthPrincipalType: 'AssumedRoleUser',
    AuthPrincipalDisplayName: 'InventoryReader:sync-1', NoPermissionType: 'ImplicitDeny', AuthAction: 'swas-open:ListCustomImages',
    EncodedDiagnosticMessage: 'AQEAAAAAZBgxr0U1MjA1NTM1LUM4BBkt',
  };

  it('is permanent and names the action, the principal and what to do; the encoded diagnostic stays out', () => {
    const c = classifyError(sdkError(ClientError, 403, 'Forbidden.RAM', { accessDeniedDetail: detail }));
    expect(c).toMatchObject({
      kind: 'permanent', code: 'Forbidden.RAM', statusCode: 403,
      accessDenied: { action: 'swas-open:ListCustomImages', principalType: 'AssumedRoleUser', principalName: 'InventoryReader:sync-1', ownerId: '1234567890123456', noPermissionType: 'ImplicitDeny' },
    });
    expect(c.message).toContain('RAM denied swas-open:ListCustomImages to AssumedRoleUser "InventoryReader:sync-1" of account 1234567890123456; no policy allows it (ImplicitDeny): grant swas-open:ListCustomImages');
    expect(c.message).not.toContain(detail.EncodedDiagnosticMessage);
  });

  it('an explicit Deny says so; a denial without detail (or from the body only) still reads', () => {
    const explicit = classifyError(sdkError(ClientError, 403, 'NoPermission', { accessDeniedDetail: { ...detail, NoPermissionType: 'ExplicitDeny' } }));
    expect(explicit.message).toContain('an explicit Deny (AccountLevelIdentityBasedPolicy) refuses it: remove or narrow that Deny');
    const bare = classifyError(sdkError(ClientError, 403, 'Forbidden.RAM'));
    expect(bare).toMatchObject({ kind: 'permanent', code: 'Forbidden.RAM' });
    expect(bare.accessDenied).toBeUndefined();
    expect(bare.message).toContain('RAM denied the API action to this identity');
    const fromBody = classifyError(new ClientError({ statusCode: 403, code: 'Forbidden.RAM', message: 'm', data: { AccessDeniedDetail: { AuthAction: 'swas-open:ListCustomImages', AuthPrincipalType: 'SubUser\n\u0000evil' } } }));
    expect(fromBody.accessDenied).toEqual({ action: 'swas-open:ListCustomImages', principalType: 'SubUser  evil' });
  });

  it('treats a Postgres query past query_timeout as transient, under drizzle\'s wrapper, the SQL kept out', () => {
    // postgres.js 4: the cancel went unanswered (a silent path), so the connection was given up.
    const timedOut = Object.assign(new Error('Query timed out'), { code: 'QUERY_TIMEOUT', cause: Object.assign(new Error('Cancel unanswered'), { code: 'CANCEL_UNANSWERED' }) });
    const c = classifyError(Object.assign(new Error('Failed query: select $1\nparams: SECRET'), { cause: timedOut }));
    expect(c).toMatchObject({ kind: 'transient', code: 'QUERY_TIMEOUT' });
    expect(c.message).not.toMatch(/select|SECRET/);
    expect(classifyError(Object.assign(new Error('Failed query: x'), { cause: Object.assign(new Error('Queue timed out'), { code: 'QUEUE_TIMEOUT' }) }))).toMatchObject({ kind: 'transient', code: 'QUEUE_TIMEOUT' });
  });
});

describe('messages read once beside their code (issue 22 #12)', () => {
  it('the SDK\'s message loses the repeated code, says the status as HTTP NNN', () => {
    const e = sdkError(ClientError, 403, 'Forbidden.RAM');
    expect(e.message.startsWith('Forbidden.RAM: code: 403, ')).toBe(true); // the SDK's own wording
    const c = classifyError(e);
    expect(`${c.code}: ${c.message}`.startsWith('Forbidden.RAM: HTTP 403: something about Forbidden.RAM request id: 5C3B-REQ')).toBe(true);
  });

  it('httpx\'s request line is set apart from the socket error it was glued to', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5997POST http://127.0.0.1:5997/?AcceptLanguage=en-US failed.'),
      { code: 'ECONNREFUSED' });
    const c = classifyError(refused);
    expect(c).toMatchObject({ kind: 'transient', code: 'ECONNREFUSED' });
    expect(c.message).toBe('connect ECONNREFUSED 127.0.0.1:5997; POST http://127.0.0.1:5997/?AcceptLanguage=en-US failed.');
  });
});
