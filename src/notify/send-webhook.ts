/**
 * One signed POST (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature, signed by
 * the `standardwebhooks` library so receivers verify with the stock ones). Never throws: every
 * outcome is a value, and a failure's reason names the HTTP status or the network error code,
 * never the URL (it may carry credentials) or the secret.
 */
import { Webhook } from 'standardwebhooks';
import { parseRetryAfter } from './retry-delay.js';

export interface WebhookRequest {
  url: string;
  secret: string;
  webhookId: string;
  body: string;
  timeoutMs: number;
  /** Signing time; default now. A retry signs anew (receivers reject stale timestamps). */
  at?: Date;
}

export type SendOutcome =
  | { ok: true; status: number }
  | { ok: false; status: number | null; reason: string; retryAfterMs: number | null };

/**
 * Credentials in a URL (`https://user:pass@host/hook`) become an HTTP Basic `authorization`
 * header (RFC 7617), as curl sends them: Node's fetch refuses a URL with userinfo outright, so such
 * a subscription would fail every delivery. Percent-escapes in the userinfo are decoded first.
 */
export function splitUserinfo(url: string): { url: string; authorization: string | null } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { url, authorization: null };
  }
  if (u.username === '' && u.password === '') return { url, authorization: null };
  const credentials = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  u.username = '';
  u.password = '';
  return { url: u.toString(), authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}` };
}

export async function sendWebhook(request: WebhookRequest): Promise<SendOutcome> {
  const at = request.at ?? new Date();
  const signature = new Webhook(request.secret).sign(request.webhookId, at, request.body);
  const target = splitUserinfo(request.url);
  try {
    const response = await fetch(target.url, {
      method: 'POST',
      body: request.body,
      // A redirect could send the payload where the operator did not point it: a failure, not followed.
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'swas-inventory-notifier',
        'webhook-id': request.webhookId,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signature,
        ...(target.authorization !== null ? { authorization: target.authorization } : {}),
      },
    });
    // Read the body to the end (within the same timeout) so the connection can be reused.
    await response.arrayBuffer();
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
    return {
      ok: false,
      status: response.status,
      reason: `HTTP ${response.status}`,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    };
  } catch (err) {
    return { ok: false, status: null, reason: networkReason(err, request.timeoutMs), retryAfterMs: null };
  }
}

/** `timeout after 2000 ms`, `ECONNREFUSED`, ...: undici's messages are generic, its cause has the code. */
function networkReason(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `timeout after ${timeoutMs} ms`;
  const cause = err instanceof Error ? (err.cause as { code?: unknown; name?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && cause.name === 'TimeoutError') return `timeout after ${timeoutMs} ms`;
  return err instanceof Error ? err.name : 'network error';
}
