import { createHash, createHmac } from 'node:crypto';

/**
 * Pure pieces of the ACS3-HMAC-SHA256 (signature V3) canonical request, as the server rebuilds
 * them. Kept free of I/O so the worked example in the reference is a plain unit test.
 */
export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** encodeURIComponent plus `!'()*`: the query travels raw, so the server must re-encode. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Decoded pairs sorted by key (code-unit order, like the SDK's `Object.keys().sort()`). */
export function canonicalQueryString(pairs: ReadonlyArray<readonly [string, string]>): string {
  return [...pairs]
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`)
    .join('&');
}

export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

function headerValue(headers: HeaderBag, name: string): string {
  const value = headers[name];
  if (value === undefined) return '';
  return Array.isArray(value) ? value.map((v) => v.trim()).sort().join(',') : value.trim();
}

/** `name:value\n` for each signed header, in the order of the request's own SignedHeaders list. */
export function canonicalHeaders(headers: HeaderBag, signedHeaders: readonly string[]): string {
  return signedHeaders.map((name) => `${name}:${headerValue(headers, name)}\n`).join('');
}

export interface CanonicalRequestInput {
  method: string;
  path: string;
  query: ReadonlyArray<readonly [string, string]>;
  headers: HeaderBag;
  signedHeaders: readonly string[];
  hashedPayload: string;
}

export function canonicalRequest(input: CanonicalRequestInput): string {
  return [
    input.method.toUpperCase(),
    input.path === '' ? '/' : input.path,
    canonicalQueryString(input.query),
    canonicalHeaders(input.headers, input.signedHeaders),
    input.signedHeaders.join(';'),
    input.hashedPayload,
  ].join('\n');
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function stringToSign(canonical: string): string {
  return `${ACS3_ALGORITHM}\n${sha256Hex(canonical)}`;
}

/** The secret is the HMAC key as is (no prefix, unlike V2's `secret&`). */
export function signString(accessKeySecret: string, toSign: string): string {
  return createHmac('sha256', accessKeySecret).update(toSign).digest('hex');
}
