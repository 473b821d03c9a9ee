/**
 * Hand-built API requests for what the SDK will not produce (tampered signatures, replayed
 * nonces, wrong versions). They are signed by the SDK's own signer (openapi-core's
 * OpenApiUtil.getAuthorization), never by the emulator's code, so the two cannot agree by
 * construction; `tamper` then changes the request after signing.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { OpenApiUtil } from './sdk-client.js';

export interface RawRequestOptions {
  port: number;
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  action?: string;
  version?: string;
  query?: Record<string, string>;
  /** A form body (application/x-www-form-urlencoded), hashed and signed like the SDK would. */
  form?: Record<string, string>;
  date?: Date;
  nonce?: string;
  /** HTTP method, signed (default POST). */
  method?: string;
  /** The Host header, signed (default `127.0.0.1:<port>`). */
  host?: string;
  /** Changes applied after signing. */
  tamper?: (req: { path: string; headers: Record<string, string>; body: string }) => void;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: Record<string, unknown>;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export function buildSignedRequest(opts: RawRequestOptions): { path: string; headers: Record<string, string>; body: string; method: string } {
  const query = opts.query ?? {};
  const body = opts.form ? new URLSearchParams(opts.form).toString() : '';
  const date = opts.date ?? new Date();
  const headers: Record<string, string> = {
    host: opts.host ?? `127.0.0.1:${opts.port}`,
    // An empty action/version leaves the header out (for Action/Version given as parameters).
    ...(opts.action === '' ? {} : { 'x-acs-action': opts.action ?? 'ListCustomImages' }),
    ...(opts.version === '' ? {} : { 'x-acs-version': opts.version ?? '2020-06-01' }),
    'x-acs-date': `${date.toISOString().slice(0, 19)}Z`,
    'x-acs-signature-nonce': opts.nonce ?? randomBytes(32).toString('hex'),
    'x-acs-content-sha256': sha256(body),
    accept: 'application/json',
  };
  if (opts.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (opts.securityToken !== undefined) {
    headers['x-acs-accesskey-id'] = opts.accessKeyId;
    headers['x-acs-security-token'] = opts.securityToken;
  }
  headers.authorization = OpenApiUtil.getAuthorization(
    { pathname: '/', method: opts.method ?? 'POST', query, headers } as unknown as Parameters<typeof OpenApiUtil.getAuthorization>[0],
    'ACS3-HMAC-SHA256', sha256(body), opts.accessKeyId, opts.accessKeySecret,
  );
  const search = new URLSearchParams(query).toString();
  const built = { path: search === '' ? '/' : `/?${search}`, headers, body, method: opts.method ?? 'POST' };
  opts.tamper?.(built);
  return built;
}

export function sendRaw(port: number, req: { path: string; headers: Record<string, string>; body: string; method?: string }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const r = http.request({
      host: '127.0.0.1', port, method: req.method ?? 'POST', path: req.path,
      headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          // Left empty: fault tests look at `text` for bodies that are not JSON on purpose.
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(req.body);
  });
}

export function rawCall(opts: RawRequestOptions): Promise<RawResponse> {
  return sendRaw(opts.port, buildSignedRequest(opts));
}

/** Calls the admin API (unsigned JSON). */
export async function admin(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${url}/_emulator${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.status, json: await res.json() };
}
