/**
 * The console's HTTP server (Express 5, the framework that already serves Bull Board). Read-only
 * by construction: every method but GET and HEAD answers 405 before any route runs, and every
 * route only reads (through the views a `swas_reader` login may read). Safe by default: loopback
 * unless a token is given (the command refuses another address without one), a Content-Security-
 * Policy that allows only this server's own scripts and styles (no inline script), every value
 * escaped by the template helper (html.ts), and errors shown without SQL, parameters or secrets.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { DataDirBusyError } from '../db/data-dir-lock.js';
import { findDatabaseError } from '../db/find-database-error.js';
import { FilterError } from '../reports/parse-filters.js';
import { TimeParseError } from '../reports/parse-time.js';
import { serveAssets } from './assets.js';
import type { ConsoleContext } from './console-context.js';
import { html } from './html.js';
import { errorPage } from './page-shell.js';
import { changesPage, changesStream } from './pages/changes-page.js';
import { imagePage } from './pages/image-page.js';
import { imagesPage } from './pages/images-page.js';
import { notificationsPage } from './pages/notifications-page.js';
import { overviewPage } from './pages/overview-page.js';
import { runPage, runsPage } from './pages/runs-page.js';
import { sendHtml, sendJson, wantedFormat } from './respond.js';

export interface ConsoleServerOptions extends ConsoleContext {
  host: string;
  port: number;
  /** Required by every route but /healthz when set (HTTP Basic, any user name, or `Authorization: Bearer`). */
  token?: string | null;
  log?: Logger;
}

export interface ConsoleServerHandle {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'",
].join('; ');

export function consoleApp(options: ConsoleServerOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.set({
      'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY', 'Cross-Origin-Opener-Policy': 'same-origin', 'Cache-Control': 'no-store',
    });
    next();
  });
  app.use((req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    res.set('Allow', 'GET, HEAD').status(405).type('text/plain').send('405 Method Not Allowed: the console is read-only (GET and HEAD only)\n');
  });
  app.get('/healthz', (_req, res) => { res.json({ status: 'ok' }); });
  if (options.token) app.use(requireToken(options.token));
  app.use('/assets', serveAssets());

  const route = (path: string, handler: (req: Request, res: Response) => Promise<void>) => {
    app.get(path, (req, res, next) => { handler(req, res).catch(next); });
  };
  route('/', overviewPage(options));
  route('/images', imagesPage(options));
  route('/images/:imageId', imagePage(options));
  route('/changes', changesPage(options));
  route('/changes/stream', changesStream(options));
  route('/runs', runsPage(options));
  route('/runs/:runId', runPage(options));
  route('/notifications', notificationsPage(options));

  app.use((req, res) => {
    const why = 'No such page.';
    if (wantedFormat(req) === 'json') return sendJson(res, { error: why }, 404);
    sendHtml(res, errorPage('Not found', why, 404, html`<p><a href="/">Overview</a></p>`), 404);
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { status, message, retry } = describeFailure(err);
    if (status >= 500 && !retry) options.log?.error({ err: safeError(err), path: req.path }, 'console request failed');
    if (retry) res.set('Retry-After', String(retry));
    if (res.headersSent) return void res.end();
    if (wantedFormat(req) === 'json') return sendJson(res, { error: message }, status);
    sendHtml(res, errorPage(status === 400 ? 'Bad request' : status === 503 ? 'Busy, try again' : 'Error', message, status,
      retry ? html`<p>This page does not reload by itself: <a href="${req.originalUrl}">try again</a> in a few seconds.</p>` : undefined), status);
  });
  return app;
}

/** What a failed request tells its reader: bad input (400), the embedded database held by a sync (503), the rest (500). */
export function describeFailure(err: unknown): { status: number; message: string; retry?: number } {
  if (err instanceof FilterError || err instanceof TimeParseError) return { status: 400, message: err.message };
  const busy = findBusy(err);
  if (busy) {
    return {
      status: 503, retry: 5,
      message: `The embedded database is in use by another command (${busy.holder ? `${busy.holder.command}, pid ${busy.holder.pid}` : 'another process'}): ` +
        'a sync holds it while it writes. The console waited a few seconds; try again when it has finished.',
    };
  }
  const db = findDatabaseError(err);
  if (db?.code === '42501') {
    return { status: 403, message: 'This database login may not read what this page needs (permission denied). The console reads the views granted to swas_reader; see docs/REPORTS.md.' };
  }
  if (db) return { status: 503, retry: 5, message: 'The database could not answer this request (it may be restarting). Try again shortly.' };
  return { status: 500, message: 'The console failed to build this page; the error is in its log.' };
}

function findBusy(err: unknown): DataDirBusyError | undefined {
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) if (e instanceof DataDirBusyError) return e;
  return undefined;
}

/** An error for the log: its name, message's first line and code, never drizzle's "Failed query: <SQL> params: ..." text. */
function safeError(err: unknown): { name: string; message: string; code?: string } {
  const db = findDatabaseError(err);
  if (db) return { name: 'DatabaseError', message: db.message.split('\n')[0] ?? '', ...(db.code ? { code: db.code } : {}) };
  const e = err instanceof Error ? err : new Error(String(err));
  const first = e.message.startsWith('Failed query') ? 'query failed' : (e.message.split('\n')[0] ?? '');
  return { name: e.name, message: first };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** HTTP Basic (the browser asks; any user name, the token as password) or `Authorization: Bearer <token>`. */
function requireToken(token: string) {
  const expected = digest(token);
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.get('authorization') ?? '';
    let given: string | undefined;
    if (/^bearer /i.test(header)) given = header.slice(7).trim();
    else if (/^basic /i.test(header)) {
      const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
      given = decoded.slice(decoded.indexOf(':') + 1);
    }
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return next();
    res.set('WWW-Authenticate', 'Basic realm="swas-inventory console", charset="UTF-8"').status(401).type('text/plain')
      .send('401 Unauthorized: this console requires CONSOLE_TOKEN (as the password, any user name)\n');
  };
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServerHandle> {
  const server = createServer(consoleApp(options));
  // Longer than a client's idle keep-alive (browsers, undici: 4-60 s), so a connection is never
  // closed by us at the moment the client reuses it (a request lost as ECONNRESET).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  try {
    server.listen(options.port, options.host);
    await once(server, 'listening');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new Error(`console: cannot listen on ${options.host}:${options.port} (${code}); choose another --port (0 = any free port)`, { cause: err });
  }
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    server,
    url: `http://${host}:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open pages (keep-alive, a live change stream) must not hold shutdown.
        server.closeAllConnections();
      });
      await options.database.close();
    },
  };
}
