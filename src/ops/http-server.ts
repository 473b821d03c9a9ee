/**
 * The operations HTTP server: liveness, readiness, Prometheus metrics and Bull Board.
 * Bull Board is read-only: it has no authentication of its own, and retrying or deleting jobs
 * belongs to operators with Redis access, not to anyone who can reach the port.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express from 'express';
import type { Registry } from 'prom-client';

export interface ReadinessCheck {
  name: string;
  /** Resolves when the dependency answers; rejects (or times out) otherwise. */
  check: () => Promise<unknown>;
}

export interface HttpServerOptions {
  port: number;
  /** Default `127.0.0.1` (HTTP_HOST's default; see the README for why, and the Dockerfile sets `0.0.0.0`). */
  host?: string;
  registry: Registry;
  checks: readonly ReadinessCheck[];
  queues: readonly Queue[];
  /** True while shutting down: /readyz answers 503 so load balancers stop sending traffic. */
  isClosing?: () => boolean;
}

export interface HttpServerHandle {
  server: Server;
  host: string;
  port: number;
  close(): Promise<void>;
}

export const BULL_BOARD_PATH = '/admin/queues';
const CHECK_TIMEOUT_MS = 2_000;

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServerHandle> {
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    if (options.isClosing?.() === true) {
      res.status(503).json({ status: 'shutting down' });
      return;
    }
    const results = await Promise.all(options.checks.map(async ({ name, check }) => {
      try {
        await withTimeout(check(), CHECK_TIMEOUT_MS);
        return { name, ok: true };
      } catch (err) {
        return { name, ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    }));
    const ready = results.every((r) => r.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: results });
  });

  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', options.registry.contentType);
    res.send(await options.registry.metrics());
  });

  const board = new ExpressAdapter();
  board.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: options.queues.map((q) => new BullMQAdapter(q, { readOnlyMode: true })),
    // @bull-board/express 9.10.1 pins its own copy of @bull-board/api (9.10.1, ours is 9.10.2): the
    // same interface from two declarations. Runtime use is duck-typed; the UI page test covers it.
    serverAdapter: board as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'swas-inventory' } },
  });
  app.use(BULL_BOARD_PATH, board.getRouter() as express.Router);

  const host = options.host ?? '127.0.0.1';
  const server = createServer(app);
  try {
    server.listen(options.port, host);
    await once(server, 'listening');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new Error(`ops server: cannot listen on ${host}:${options.port} (${code}); set HTTP_PORT (0 = any free port) or HTTP_HOST to a free address`, { cause: err });
  }
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    host,
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Keep-alive connections (a Prometheus scraper, a browser on Bull Board) must not hold shutdown.
      server.closeAllConnections();
    }),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}
