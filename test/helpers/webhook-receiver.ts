/**
 * A local HTTP receiver for webhook tests: records every request, verifies it with the stock
 * `standardwebhooks` library, and answers as the test says (a status, Retry-After, a delay, or
 * nothing at all while "down").
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedHook {
  webhookId: string;
  verified: boolean;
  body: unknown;
  raw: string;
  status: number;
  at: number;
  /** The request's `authorization` header, if any. */
  authorization: string | null;
}

/** `hold`: the answer waits for it (a receiver stuck mid-request until the test lets go). */
export type Answer = { status: number; retryAfter?: string; delayMs?: number; hold?: Promise<void> };

export interface WebhookReceiver {
  url: string;
  port: number;
  received: ReceivedHook[];
  /** Requests read but not yet answered (held or delayed). */
  inFlight: number;
  /** Requests answered 2xx and verified, in arrival order. */
  accepted(): ReceivedHook[];
  /** Decides each answer; default 204. */
  answer: (req: { webhookId: string; body: unknown; count: number }) => Answer;
  /** Closes the listening socket (connections refused) until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(secret: string, port = 0): Promise<WebhookReceiver> {
  const verifier = new Webhook(secret);
  const received: ReceivedHook[] = [];
  let count = 0;
  const receiver: WebhookReceiver = {
    url: '', port: 0, received, inFlight: 0,
    accepted: () => received.filter((r) => r.verified && r.status < 300),
    answer: () => ({ status: 204 }),
    down: async () => { await closeServer(server); },
    up: async () => { server = await listen(handler, receiver.port); },
    close: async () => { await closeServer(server); },
  };
  const handler = async (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    let verified = false;
    try { verifier.verify(raw, headers); verified = true; } catch { /* recorded as unverified */ }
    const webhookId = headers['webhook-id'] ?? '';
    let body: unknown = null;
    try { body = JSON.parse(raw); } catch { /* not JSON */ }
    const a = receiver.answer({ webhookId, body, count: count++ });
    receiver.inFlight++;
    if (a.hold) await a.hold;
    if (a.delayMs) await new Promise((r) => setTimeout(r, a.delayMs));
    receiver.inFlight--;
    // Recorded even when the sender is gone by now (killed, timed out): the receiver did get it.
    received.push({ webhookId, verified, body, raw, status: a.status, at: Date.now(), authorization: headers.authorization ?? null });
    if (res.destroyed) return;
    res.writeHead(a.status, a.retryAfter ? { 'retry-after': a.retryAfter } : {});
    res.end();
  };
  let server = await listen(handler, port);
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}/hook`;
  return receiver;
}

function listen(handler: (req: IncomingMessage, res: import('node:http').ServerResponse) => Promise<void>, port: number): Promise<Server> {
  const server = createServer((req, res) => { void handler(req, res); });
  server.keepAliveTimeout = 500;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A Standard Webhooks secret for tests: whsec_ + base64 of 24 random bytes. */
export function testSecret(): string {
  return `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64')}`;
}
