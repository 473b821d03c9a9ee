import { describe, expect, it } from 'vitest';
import { canonicalQueryString, canonicalRequest, percentEncode, sha256Hex, signString, stringToSign } from '../../src/emulator/canonical-request.js';
import { checkSignedHeaders, parseAuthorization, verifySignature } from '../../src/emulator/verify-signature.js';
import { ApiError } from '../../src/emulator/api-error.js';

// The worked example of the official V3 document, re-computed in shared/reference/swas-api.md.
const example = {
  method: 'POST',
  path: '/',
  query: [
    ['ImageId', 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd'],
    ['RegionId', 'cn-shanghai'],
  ] as Array<[string, string]>,
  headers: {
    host: 'ecs.cn-shanghai.aliyuncs.com',
    'x-acs-action': 'RunInstances',
    'x-acs-version': '2014-05-26',
    'x-acs-date': '2023-10-26T10:22:32Z',
    'x-acs-signature-nonce': '3156853299f313e23d1673dc12e1703d',
    'x-acs-content-sha256': sha256Hex(''),
  },
  signedHeaders: ['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version'],
  hashedPayload: sha256Hex(''),
};
const EXPECTED_HASH = '7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259';
const EXPECTED_SIGNATURE = '06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0';

describe('ACS3-HMAC-SHA256 worked example', () => {
  it('reproduces the canonical request hash and the signature', () => {
    const canonical = canonicalRequest(example);
    expect(sha256Hex(canonical)).toBe(EXPECTED_HASH);
    expect(signString('YourAccessKeySecret', stringToSign(canonical))).toBe(EXPECTED_SIGNATURE);
  });

  it('the verifier accepts the example and rejects a one-character change', () => {
    const authorization = parseAuthorization(
      `ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=${example.signedHeaders.join(';')},Signature=${EXPECTED_SIGNATURE}`,
    );
    expect(authorization.accessKeyId).toBe('YourAccessKeyId');
    expect(() => verifySignature({ ...example, authorization, accessKeySecret: 'YourAccessKeySecret' })).not.toThrow();
    const tampered = { ...example, query: [['ImageId', 'win2019'], ['RegionId', 'cn-shanghai']] as Array<[string, string]> };
    expect(() => verifySignature({ ...tampered, authorization, accessKeySecret: 'YourAccessKeySecret' })).toThrow(/server StringToSign is \[ACS3-HMAC-SHA256\n/);
    expect(() => verifySignature({ ...example, authorization, accessKeySecret: 'wrong' })).toThrow(ApiError);
  });
});

describe('canonical query string', () => {
  it('sorts by key and encodes the characters the wire leaves raw', () => {
    expect(canonicalQueryString([['b', "x!'()*~ y"], ['a', ''], ['Tag.1.Key', 'env']])).toBe("Tag.1.Key=env&a=&b=x%21%27%28%29%2A~%20y");
    expect(percentEncode('中')).toBe('%E4%B8%AD');
  });
});

describe('SignedHeaders checks', () => {
  it('requires host and every x-acs-* header that was sent', () => {
    expect(() => checkSignedHeaders(['x-acs-date'], { host: 'h', 'x-acs-date': 'd' })).toThrow(/host/);
    expect(() => checkSignedHeaders(['host'], { host: 'h', 'x-acs-security-token': 't' })).toThrow(/x-acs-security-token/);
    expect(() => checkSignedHeaders(['x-acs-date', 'host'], { host: 'h', 'x-acs-date': 'd' })).toThrow(/sorted/);
    expect(() => checkSignedHeaders(['host', 'x-acs-date'], { host: 'h', 'x-acs-date': 'd' })).not.toThrow();
  });

  it('rejects malformed Authorization headers with IncompleteSignature', () => {
    for (const bad of [undefined, '', 'ACS3-HMAC-SHA1 Credential=a', 'ACS3-HMAC-SHA256 Credential=a,Signature=b']) {
      try {
        parseAuthorization(bad);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ApiError);
        expect((error as ApiError).code).toBe('IncompleteSignature');
        expect((error as ApiError).status).toBe(400);
      }
    }
  });
});
