import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.js';
import { enqueueRun, waitForRun } from '../../src/worker/enqueue-run.js';
import type { WorkerHandle } from '../../src/worker/start-worker.js';
import { createTestDatabase } from '../helpers/databases.js';
import { openTestQueues, uniquePrefix } from '../helpers/redis.js';
import { deletePrefix, startTestWorker, startWorld, workerConfig, type World } from './worker-test-kit.js';

describe('worker ops HTTP server', () => {
  let world: World;
  let db: DatabaseHandle;
  let handle: WorkerHandle;
  let base: string;
  const prefix = uniquePrefix('http');

  beforeAll(async () => {
    world = await startWorld({ accounts: 1, regions: ['cn-hangzhou', 'cn-beijing'], imagesPerRegion: 2 });
    db = await createTestDatabase('postgres');
    handle = await startTestWorker(world, workerConfig(world, db.url!, prefix), { database: db, httpPort: 0 });
    base = `http://127.0.0.1:${handle.http!.port}`;
    const { runId } = await enqueueRun(handle.runsQueue);
    await waitForRun(db.db, runId, { timeoutMs: 30_000, pollMs: 100 });
  });
  afterAll(async () => {
    await handle?.close();
    await deletePrefix(prefix);
    await db?.close();
    await world?.emu.stop();
  });

  it('answers /healthz and /readyz with Postgres, Redis and its eviction policy and the schedules checked', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: [{ name: 'postgres', ok: true }, { name: 'redis', ok: true }, { name: 'redis-eviction-policy', ok: true }, { name: 'schedules', ok: true }] });
  });

  it('exposes the run, region, API call and image metrics in Prometheus format', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('swas_sync_runs_total{status="succeeded"} 1');
    expect(text).toContain('swas_region_syncs_total{status="succeeded"} 2');
    expect(text).toMatch(/swas_api_calls_total\{action="ListCustomImages",code="OK"\} 2/);
    expect(text).toMatch(/swas_api_calls_total\{action="ListRegions",code="OK"\} 1/);
    expect(text).toMatch(/swas_images\{status="[a-z_]+"\} \d+/);
    expect(text).toContain('swas_job_duration_seconds_bucket');
  });

  it('serves Bull Board (page and its queue API), without job data secrets', async () => {
    const page = await fetch(`${base}/admin/queues`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    const api = await fetch(`${base}/admin/queues/api/queues?activeQueue=sync-regions&status=completed&page=1`);
    expect(api.status).toBe(200);
    const body = await api.text();
    expect(body).toContain('sync-regions');
    expect(body).toContain('sync-runs');
    for (const secret of Object.values(world.env)) expect(body).not.toContain(secret);
  });

  it('binds HTTP_HOST, by default 127.0.0.1 (Bull Board and /metrics have no authentication)', () => {
    expect(handle.http!.host).toBe('127.0.0.1');
  });

  it('reports not ready while shutting down', async () => {
    const closing = handle.close();
    const res = await fetch(`${base}/readyz`).catch(() => null);
    // Either the server already answered 503, or it has stopped listening: never "ready".
    if (res !== null) expect(res.status).toBe(503);
    await closing;
  });
});

describe('worker start failure', () => {
  it('a worker whose ops port is taken fails to start and leaves no worker taking jobs', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve));
    const port = (blocker.address() as { port: number }).port;
    const world = await startWorld({ accounts: 1, regions: ['cn-hangzhou'], imagesPerRegion: 1 });
    const db = await createTestDatabase('postgres');
    const queues = openTestQueues('fail');
    const { prefix, runs: queue } = queues;
    try {
      const config = workerConfig(world, db.url!, prefix);
      // A run already waiting when the worker starts: the port is checked before any job is taken.
      await queue.add('plan-run', { trigger: 'manual' });
      await expect(startTestWorker(world, config, { database: db, httpPort: port, httpHost: '127.0.0.1' }))
        .rejects.toThrow(new RegExp(`^ops server: cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)`));
      // Nothing consumed the queue, before or after: the runs stay waiting.
      await queue.add('plan-run', { trigger: 'manual' });
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await queue.getWaitingCount()).toBe(2);
      expect(await queue.getCompletedCount() + await queue.getActiveCount()).toBe(0);
    } finally {
      blocker.close();
      await queues.close();
      await db.close();
      await world.emu.stop();
    }
  });
});
