import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { prettifyError, ZodError } from 'zod';
import { ApiError } from './api-error.js';
import { isLoopback, routeAdmin } from './admin-routes.js';
import type { EmulatorState } from './emulator-state.js';
import { handleApiCall, type ApiOutcome } from './handle-api-call.js';
import { DEFAULT_MALFORMED_BODY } from './odd-responses.js';
import { parseApiRequest } from './parse-request.js';

const ADMIN_PREFIX = '/_emulator';
/** API calls carry at most a form body; admin calls may carry a whole generated seed. */
const MAX_API_BODY_BYTES = 1024 * 1024;
const MAX_ADMIN_BODY_BYTES = 256 * 1024 * 1024;

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  // The SDK sends `content-length: 0`: skip the stream machinery on the hot path.
  if (req.headers['content-length'] === '0') {
    req.resume();
    return Promise.resolve(Buffer.alloc(0));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) reject(new ApiError('RequestTooLarge', 413, 'The request body is too large.'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  // Encode once: byteLength() and then end(string) would encode a 70 KB page twice.
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...headers, 'content-length': String(bytes.length) });
  res.end(bytes);
}

/**
 * The emulator's HTTP(S) server: admin routes under /_emulator, the API everywhere else. With
 * `tls` it speaks only HTTPS (as the real endpoints do), the admin API included.
 */
export class EmulatorServer {
  readonly server: http.Server | https.Server;
  private readonly timers = new Set<() => void>();
  private readonly sockets = new Set<Socket>();

  constructor(private readonly state: EmulatorState, tls?: { cert: string; key: string }) {
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { 'content-type': 'application/json' }, JSON.stringify({ Code: 'EmulatorBug', Message: String(error) }));
        else res.destroy();
      });
    };
    this.server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, onRequest) : http.createServer(onRequest);
    this.server.keepAliveTimeout = 65_000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /** Stops at once: hung and slow calls are cut, keep-alive sockets closed. */
  async close(): Promise<void> {
    for (const finish of [...this.timers]) finish();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /**
   * A timer that close() can end early, and that ends when the client goes away (a hung call
   * whose client timed out must not hold a timer for ten minutes).
   */
  private sleep(ms: number, res: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.timers.delete(done);
        res.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.timers.add(done);
      res.once('close', done);
    });
  }

  /** API requests received and not answered yet (tests wait for N listings to be in flight). */
  inFlight = 0;

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    if (url === ADMIN_PREFIX || url.startsWith(`${ADMIN_PREFIX}/`) || url.startsWith(`${ADMIN_PREFIX}?`)) {
      await this.handleAdmin(req, res, url);
      return;
    }
    this.inFlight++;
    try {
      await this.handleApi(req, res, url);
    } finally {
      this.inFlight--;
    }
  }

  private async handleApi(req: IncomingMessage, res: ServerResponse, url: string): Promise<void> {
    const started = Date.now();
    const time = this.state.now().toISOString();
    const requestId = randomUUID().toUpperCase();
    let outcome: ApiOutcome;
    try {
      const body = await readBody(req, MAX_API_BODY_BYTES);
      outcome = handleApiCall(this.state, parseApiRequest(req.method ?? 'POST', url, req.headers, body), requestId);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      sendJson(res, error.status, { 'content-type': 'application/json;charset=utf-8' }, JSON.stringify({ RequestId: requestId, Code: error.code, Message: error.message }));
      return;
    }
    const record = (status: number, code: string): void => {
      this.state.log.add({
        time,
        action: outcome.action,
        accountUid: outcome.principal?.accountUid ?? null,
        accessKeyId: outcome.principal?.accessKeyId ?? null,
        region: outcome.region,
        page: outcome.page,
        pageSize: outcome.pageSize,
        status,
        code,
        faults: outcome.faults,
        durationMs: Date.now() - started,
      });
    };
    if (outcome.latencyMs > 0) await this.sleep(outcome.latencyMs, res);
    // The client gave up during the injected latency (its read timeout): nothing was delivered.
    if (res.destroyed || res.socket === null) {
      record(0, 'client-closed');
      return;
    }
    await this.send(res, outcome, record);
  }

  private async send(res: ServerResponse, outcome: ApiOutcome, record: (status: number, code: string) => void): Promise<void> {
    const transport = outcome.transport;
    if (!transport) {
      record(outcome.status, outcome.code);
      sendJson(res, outcome.status, outcome.headers, outcome.body);
      return;
    }
    switch (transport.type) {
      case 'hang':
        // Logged when it starts: a client that times out never sees a status.
        record(0, 'hang');
        await this.sleep(transport.ms, res);
        res.destroy();
        return;
      case 'reset': {
        record(0, 'reset');
        const full = outcome.body;
        res.writeHead(200, { ...outcome.headers, 'content-length': String(full.length) });
        res.write(full.subarray(0, Math.floor(full.length / 2)));
        // RST after half the promised bytes: the client sees ECONNRESET mid-body.
        setImmediate(() => res.socket?.resetAndDestroy());
        return;
      }
      case 'truncate': {
        record(200, 'truncate');
        const full = outcome.body;
        sendJson(res, 200, outcome.headers, full.subarray(0, Math.floor(full.length / 2)));
        return;
      }
      case 'malformed':
        record(200, 'malformed');
        sendJson(res, 200, outcome.headers, transport.body ?? DEFAULT_MALFORMED_BODY);
        return;
    }
  }

  private async handleAdmin(req: IncomingMessage, res: ServerResponse, url: string): Promise<void> {
    const json = { 'content-type': 'application/json;charset=utf-8' };
    if (!isLoopback(req.socket.remoteAddress)) {
      req.resume();
      sendJson(res, 403, json, JSON.stringify({ Code: 'Forbidden', Message: 'The emulator admin API only answers loopback clients.' }));
      return;
    }
    try {
      const raw = await readBody(req, MAX_ADMIN_BODY_BYTES);
      const text = raw.toString('utf8').trim();
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        throw new ApiError('InvalidBody', 400, 'The request body is not valid JSON.');
      }
      const parsed = new URL(url, 'http://emulator');
      const answer = routeAdmin(this.state, {
        method: req.method ?? 'GET',
        path: parsed.pathname.slice(ADMIN_PREFIX.length),
        search: parsed.searchParams,
        body,
      });
      sendJson(res, answer.status, json, JSON.stringify(answer.body));
    } catch (error) {
      const status = error instanceof ApiError ? error.status : 400;
      const code = error instanceof ApiError ? error.code : 'InvalidBody';
      const message = error instanceof ZodError ? prettifyError(error) : error instanceof Error ? error.message : String(error);
      sendJson(res, status, json, JSON.stringify({ Code: code, Message: message }));
    }
  }
}
