/**
 * A worker rides out a Redis restart: it must not crash while Redis is gone, and once Redis is back
 * (with AOF, as docs/WORKER.md requires) the queued work finishes. Uses a private redis-server on
 * its own port, so the shared test Redis is never restarted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { DatabaseHandle } from '../../src/db/database.js';
import { enqueueRun, waitForRun } from '../../src/worker/enqueue-run.js';
import type { WorkerHandle } from '../../src/worker/start-worker.js';
import { createTestDatabase } from '../helpers/databases.js';
import { storedImageIds, startTestWorker, startWorld, truthImageIds, waitFor, workerConfig, type World } from './worker-test-kit.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('worker across a Redis restart', () => {
  let world: World;
  let db: DatabaseHandle;
  let handle: WorkerHandle | undefined;
  let redisProc: ChildProcess | undefined;
  let port: number;
  const dir = mkdtempSync(join(tmpdir(), 'swas-redis-'));

  async function startRedis(): Promise<void> {
    redisProc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
      '--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    await waitFor('private redis to answer', async () => {
      const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => {});
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        probe.disconnect();
      }
    }, 10_000, 50);
  }

  async function stopRedis(): Promise<void> {
    const proc = redisProc;
    if (proc === undefined || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  }

  beforeAll(async () => {
    port = await freePort();
    await startRedis();
    world = await startWorld({ accounts: 2, regions: ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'], imagesPerRegion: 3 });
    db = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    await handle?.close();
    await stopRedis();
    await db?.close();
    await world?.emu.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps running while Redis is down and finishes the run once it is back', async () => {
    const config = { ...workerConfig(world, db.url!, 'swas'), redisUrl: `redis://127.0.0.1:${port}` };
    world.emu.setFaults([{ kind: 'latency', ms: 300, match: { action: 'ListCustomImages' } }]);
    handle = await startTestWorker(world, config, { database: db, tuning: { concurrency: 2 } });
    const { runId } = await enqueueRun(handle.runsQueue);
    await waitFor('region jobs to start', async () => (await handle!.regionsQueue.getActiveCount()) > 0, 20_000, 20);

    await stopRedis(); // SIGKILL: what AOF (appendfsync always here) has is what comes back
    await new Promise((r) => setTimeout(r, 1_500));
    await startRedis();
    world.emu.clearFaults();

    const run = await waitForRun(db.db, runId, { timeoutMs: 60_000, pollMs: 200 });
    expect(run).toMatchObject({ status: 'succeeded', regionsTotal: 6, regionsSucceeded: 6 });
    expect(await storedImageIds(db.db)).toEqual(truthImageIds(world));
  }, 90_000);
});
