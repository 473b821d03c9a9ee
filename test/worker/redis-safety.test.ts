/**
 * Redis that may evict (issue 14): the worker refuses to start on any maxmemory-policy but
 * noeviction, /readyz turns not ready (reason in the answer and the JSON log) when the policy is
 * changed under it, and a job whose data was lost fails as exactly that, never as an unknown account.
 * Eviction policies are set on private redis-servers only: the shared one is never reconfigured.
 */
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { createLogger } from '../../src/ops/logger.js';
import { JOB_NAMES } from '../../src/worker/queue-names.js';
import { RedisEvictionPolicyError } from '../../src/worker/redis-eviction-policy.js';
import { createTestDatabase } from '../helpers/databases.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-services.js';
import { openTestQueues, uniquePrefix } from '../helpers/redis.js';
import { runCommand } from '../helpers/cli.js';
import { startTestWorker, startWorld, waitFor, workerConfig, type World } from './worker-test-kit.js';

/** A JSON logger whose lines the test can read. */
function capturedLogger(): { logger: ReturnType<typeof createLogger>; lines: () => Array<Record<string, unknown>> } {
  let text = '';
  const destination = new Writable({ write(chunk: Buffer, _enc, done) { text += chunk.toString('utf8'); done(); } });
  return {
    logger: createLogger({ level: 'info', pretty: false, destination }),
    lines: () => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('Redis eviction policy and lost job data', () => {
  let world: World;
  let db: DatabaseHandle;
  const redises: PrivateRedis[] = [];

  beforeAll(async () => {
    world = await startWorld({ accounts: 1, regions: ['cn-hangzhou'], imagesPerRegion: 2 });
    db = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    await Promise.all(redises.map((r) => r.stop()));
    await db?.close();
    await world?.emu.stop();
  });

  it('refuses to start on allkeys-lru, before touching Redis or Postgres, with exit 2 and the reason logged', async () => {
    const lru = await startPrivateRedis({ maxmemoryPolicy: 'allkeys-lru' });
    redises.push(lru);
    const prefix = uniquePrefix('evict');
    const { logger, lines } = capturedLogger();
    const config = { ...workerConfig(world, db.url!, prefix), redisUrl: lru.url };
    const err = await startTestWorker(world, config, { logger, schedule: { every: 60_000 } }).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(RedisEvictionPolicyError);
    expect((err as Error).message).toContain('"allkeys-lru"');
    expect(exitCodeFor(err)).toBe(2);
    expect(lines().some((l) => l.level === 50 && l.maxmemoryPolicy === 'allkeys-lru' && /evict/.test(String(l.reason)))).toBe(true);
    // Nothing was declared: no schedule, no queue keys under the prefix.
    const probe = new Redis(lru.url);
    try {
      expect(await probe.keys(`${prefix}:*`)).toEqual([]);
    } finally {
      probe.disconnect();
    }
  });

  it('the command says so in one line and exits 2', async () => {
    const lru = redises[0]!;
    const res = await runCommand(['worker', '--no-schedule'], {
      DATABASE_URL: db.url!, REDIS_URL: lru.url, SWAS_ENDPOINT: world.emu.url, HTTP_PORT: '0', LOG_LEVEL: 'silent',
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'AKIDEXAMPLE', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'x',
    });
    expect(res.code).toBe(2);
    const lines = res.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^swas-inventory: Redis maxmemory-policy is "allkeys-lru"/);
  });

  it('/readyz turns not ready when the policy changes under a running worker, and ready again', async () => {
    const safe = await startPrivateRedis();
    redises.push(safe);
    const prefix = uniquePrefix('evict');
    const { logger, lines } = capturedLogger();
    const handle = await startTestWorker(world, { ...workerConfig(world, db.url!, prefix), redisUrl: safe.url }, { logger, httpPort: 0 });
    const admin = new Redis(safe.url);
    try {
      const readyz = async () => {
        const res = await fetch(`http://127.0.0.1:${handle.http!.port}/readyz`);
        return { status: res.status, body: await res.json() as { checks: Array<{ name: string; ok: boolean; error?: string }> } };
      };
      expect((await readyz()).status).toBe(200);
      await admin.config('SET', 'maxmemory-policy', 'volatile-lru');
      const bad = await readyz();
      expect(bad.status).toBe(503);
      expect(bad.body.checks.find((c) => c.name === 'redis-eviction-policy')).toMatchObject({ ok: false, error: expect.stringContaining('"volatile-lru"') });
      await readyz(); // a second probe does not log again
      expect(lines().filter((l) => l.msg === 'not ready: Redis may evict queue keys')).toHaveLength(1);
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      expect((await readyz()).status).toBe(200);
    } finally {
      admin.disconnect();
      await handle.close();
    }
  });

  it('an account job whose data was lost fails at once as missing data, never as an unknown account', async () => {
    const queues = openTestQueues('evict');
    const { prefix, redis, regions: queue } = queues;
    const config = workerConfig(world, db.url!, prefix);
    const { logger, lines } = capturedLogger();
    try {
      const job = await queue.add(JOB_NAMES.account, { runId: 'r1', account: 'acct0', regions: [{ regionId: 'cn-hangzhou', endpoint: { protocol: 'http', host: '127.0.0.1:1' } }] }, { attempts: 5 });
      // What eviction of the job's data looks like: the hash is there, its data field is not.
      expect(await redis.hdel(queue.toKey(job.id!), 'data')).toBe(1);
      const handle = await startTestWorker(world, config, { logger });
      try {
        await waitFor('the job to fail', async () => (await queue.getJobState(job.id!)) === 'failed', 20_000);
      } finally {
        await handle.close();
      }
      const failed = await queue.getJob(job.id!);
      expect(failed?.failedReason).toMatch(/has no usable data \(missing runId, account, regions\).*noeviction/);
      expect(failed?.failedReason).not.toContain('undefined');
      expect(failed?.attemptsMade).toBe(1); // unrecoverable: no retries spent on it
      expect(lines().some((l) => l.msg === 'job data missing' && l.jobId === job.id)).toBe(true);
    } finally {
      await queues.close();
    }
  });
});
