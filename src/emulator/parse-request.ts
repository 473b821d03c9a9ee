import type { IncomingHttpHeaders } from 'node:http';

/** The pieces of an API request the gateway works from, before any checking. */
export interface ApiRequest {
  method: string;
  path: string;
  /** Decoded query pairs, in wire order (they are signed). */
  query: Array<[string, string]>;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Query and form-body parameters merged; the body wins on a clash. */
  params: Map<string, string>;
  action: string | undefined;
  version: string | undefined;
}

/** Form decoding (`+` is a space), like the gateway; the SDK itself always sends `%20`. */
function decodePairs(raw: string): Array<[string, string]> {
  if (raw === '') return [];
  return [...new URLSearchParams(raw)];
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function parseApiRequest(method: string, url: string, headers: IncomingHttpHeaders, body: Buffer): ApiRequest {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = decodePairs(q === -1 ? '' : url.slice(q + 1));
  const params = new Map<string, string>(query);
  const contentType = header(headers, 'content-type') ?? '';
  if (body.length > 0 && contentType.startsWith('application/x-www-form-urlencoded')) {
    for (const [key, value] of decodePairs(body.toString('utf8'))) params.set(key, value);
  }
  return {
    method,
    path,
    query,
    headers,
    body,
    params,
    action: header(headers, 'x-acs-action') || params.get('Action'),
    version: header(headers, 'x-acs-version') || params.get('Version'),
  };
}
