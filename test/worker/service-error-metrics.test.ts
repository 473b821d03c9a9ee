/**
 * The dependency metrics an operator alerts on, moved by real failures (issue 23): an evicting
 * policy set on the worker's own private Redis turns `swas_redis_eviction_policy_safe` to 0; a view
 * the scrape reads gone from Postgres counts `swas_database_errors_total{code="42P01"}` and the
 * freshness gauges keep their last values. (Killing that Redis does count
 * `swas_redis_errors_total{code="ECONNREFUSED"}`, but closing a worker right after its Redis came
 * back hung in 2 of 4 runs here, inside BullMQ's worker close: not a steady test, so not one here.)
 */
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.js';
import { enqueueRun, waitForRun } from '../../src/worker/enqueue-run.js';
import type { WorkerHandle } from '../../src/worker/start-worker.js';
import { createTestDatabase } from '../helpers/databases.js';
import { sample, scrapeMetrics } from '../helpers/metrics-text.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-services.js';
import { startTestWorker, startWorld, waitFor, workerConfig, type World } from './worker-test-kit.js';


describe('dependency error metrics of a running worker', () => {
  let world: World;
  let db: DatabaseHandle;
  let redis: PrivateRedis;
  let handle: WorkerHandle;
  let base: string;
  const scrape = (): Promise<string> => scrapeMetrics(base);

  beforeAll(async () => {
    world = await startWorld({ accounts: 1, regions: ['cn-hangzhou', 'cn-beijing'], imagesPerRegion: 1 });
    db = await createTestDatabase('postgres');
    redis = await startPrivateRedis();
    handle = await startTestWorker(world, workerConfig(world, db.url!, 'swas', { REDIS_URL: redis.url }), { database: db, httpPort: 0 });
    base = `http://127.0.0.1:${handle.http!.port}`;
    const { runId } = await enqueueRun(handle.runsQueue);
    await waitForRun(db.db, runId, { timeoutMs: 30_000, pollMs: 100 });
  }, 60_000);
  afterAll(async () => {
    await handle?.close();
    await redis?.stop();
    await db?.close();
    await world?.emu.stop();
  });

  it('an evicting Redis policy set under the worker: swas_redis_eviction_policy_safe goes from 1 to 0 with the policy named', async () => {
    expect(sample(await scrape(), 'swas_redis_eviction_policy_safe{policy="noeviction"}')).toBe(1);
    const admin = new Redis(redis.url);
    try {
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const text = await waitFor('the unsafe policy in a scrape', async () => {
        const t = await scrape();
        return sample(t, 'swas_redis_eviction_policy_safe{policy="allkeys-lru"}') === 0 ? t : null;
      });
      expect(text).not.toContain('swas_redis_eviction_policy_safe{policy="noeviction"}');
    } finally {
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      admin.disconnect();
    }
  });

  it('a view the scrape reads gone: swas_database_errors_total{code="42P01"} counts it, the freshness gauges keep their values', async () => {
    const before = await scrape();
    const age = 'swas_region_listing_age_seconds{account="acct0",region="cn-hangzhou"}';
    expect(sample(before, age)).toBeGreaterThanOrEqual(0);
    expect(sample(before, 'swas_database_errors_total{code="42P01"}')).toBeUndefined();
    await db.db.execute(sql`alter view swas.region_freshness rename to region_freshness_away`);
    try {
      const text = await waitFor('the database error in a scrape', async () => {
        const t = await scrape();
        return (sample(t, 'swas_database_errors_total{code="42P01"}') ?? 0) >= 1 ? t : null;
      });
      expect(sample(text, age)).toBe(sample(before, age)); // the last reading, kept
    } finally {
      await db.db.execute(sql`alter view swas.region_freshness_away rename to region_freshness`);
    }
  });
});
