/**
 * Redis loses its data under a running worker (issue 20): a private redis-server without
 * persistence (`--save '' --appendonly no`) is killed mid-run and started again empty, or flushed.
 * The schedules the worker owns come back by themselves, /readyz says which is missing until it is
 * back, the run whose jobs were lost is closed with its left-out regions, and the inventory and
 * its events stay exact.
 */
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest';
import { Queue } from 'bullmq';
import { and, eq, gte } from 'drizzle-orm';
import { Redis } from 'ioredis';
import type { DatabaseHandle } from '../../src/db/database.js';
import { regionSyncs, syncRuns } from '../../src/db/schema.js';
import { enqueueRun, waitForRun } from '../../src/worker/enqueue-run.js';
import { LOST_REGION_CODE } from '../../src/worker/lost-runs.js';
import { MAINTENANCE_QUEUE, PRUNE_SCHEDULER_ID, RUNS_QUEUE, SCHEDULER_ID } from '../../src/worker/queue-names.js';
import type { WorkerHandle } from '../../src/worker/start-worker.js';
import { createTestDatabase } from '../helpers/databases.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-services.js';
import { startTestWorker, startWorld, waitFor, workerConfig, type World } from '../worker/worker-test-kit.js';
import { SummaryRecorder } from './summary.js';
import { WorldLedger } from './worker-scenario.js';

const rec = new SummaryRecorder(import.meta.filename);
const LIST = 'ListCustomImages';

interface Readiness { status: number; body: { status: string; checks?: Array<{ name: string; ok: boolean; error?: string }> } }

async function readyz(handle: WorkerHandle): Promise<Readiness> {
  const res = await fetch(`http://127.0.0.1:${handle.http!.port}/readyz`);
  return { status: res.status, body: await res.json() as Readiness['body'] };
}

const failing = (r: Readiness): string[] => (r.body.checks ?? []).filter((c) => !c.ok).map((c) => `${c.name}: ${c.error}`);

describe('fault matrix: Redis loses its data under a running worker', () => {
  let world: World;
  let redis: PrivateRedis;
  let db: DatabaseHandle | undefined;
  let handle: WorkerHandle | undefined;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    world = await startWorld({ accounts: 2, regions: ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'], imagesPerRegion: 3 });
  });
  afterEach(async () => {
    await handle?.close();
    handle = undefined;
    await db?.close();
    db = undefined;
    world.emu.clearFaults();
  });
  afterAll(async () => {
    rec.flush();
    await redis?.stop();
    await world?.emu.stop();
  });

  rec.scenario('Redis restarted empty mid-run: a scheduled run follows, /readyz 503 until the schedule is back, the lost run closed with its left-out regions', async () => {
    db = await createTestDatabase('postgres');
    const config = { ...workerConfig(world, db.url!, 'swas'), redisUrl: redis.url };
    // One region and one account job at a time (the worker's default takes 4 account jobs per slot):
    // the run's first account job is active, the second waits in Redis (and is lost with it).
    handle = await startTestWorker(world, config, {
      database: db, httpPort: 0, schedule: { every: 15_000 },
      tuning: { concurrency: 1, accountJobs: 1, scheduleCheckMs: 1_000, lostRunGraceMs: 2_000 },
    });
    const ledger = new WorldLedger(world, rec.eventStats);
    await waitFor('the first scheduled run to end', async () => {
      const [row] = await db!.db.select().from(syncRuns).where(eq(syncRuns.trigger, 'schedule'));
      return row !== undefined && row.status !== 'running';
    }, 60_000, 100);
    await ledger.checkpoint(db.db);
    expect((await readyz(handle)).status).toBe(200);

    ledger.change(1);
    world.emu.setFaults([{ kind: 'latency', ms: 1_500, match: { action: LIST } }]);
    const before = world.emu.callLog().length;
    const { runId } = await enqueueRun(handle.runsQueue);
    await waitFor('a region of the manual run in flight', async () => world.emu.callLog().slice(before).some((c) => c.action === LIST), 30_000, 10);

    await redis.kill();
    const down = await readyz(handle);
    expect(down.status).toBe(503);
    expect(failing(down).join('; ')).toMatch(/^redis:/m);
    await redis.start(); // empty: no persistence
    const restartedAt = new Date();
    world.emu.clearFaults();

    // Every answer until the schedules are back is 503, naming Redis or a missing schedule; the
    // first 200 comes only once every schedule is in Redis again.
    const probe = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    const runsQueue = new Queue(RUNS_QUEUE, { connection: probe, prefix: 'swas' });
    const maintenanceQueue = new Queue(MAINTENANCE_QUEUE, { connection: probe, prefix: 'swas' });
    try {
      const answers: string[] = [];
      await waitFor('/readyz 200 again', async () => {
        const r = await readyz(handle!);
        if (r.status === 200) return true;
        answers.push(failing(r).join('; '));
        return false;
      }, 30_000, 20);
      for (const a of answers) expect(a).toMatch(/redis|schedule/);
      expect(await runsQueue.getJobScheduler(SCHEDULER_ID)).toBeDefined();
      expect(await maintenanceQueue.getJobScheduler(PRUNE_SCHEDULER_ID)).toBeDefined();
    } finally {
      await runsQueue.close();
      await maintenanceQueue.close();
      probe.disconnect();
    }

    // A scheduled run within 60 s of the restart, and it syncs everything.
    const scheduled = await waitFor('a scheduled run after the restart', async () => {
      const [row] = await db!.db.select().from(syncRuns)
        .where(and(eq(syncRuns.trigger, 'schedule'), gte(syncRuns.startedAt, restartedAt)));
      return row;
    }, 60_000, 100);
    const scheduledEnd = await waitForRun(db.db, scheduled.id, { timeoutMs: 60_000, pollMs: 100 });
    expect(scheduledEnd.status, JSON.stringify(scheduledEnd.error)).toBe('succeeded');

    // The interrupted run is closed, naming the regions it lost with Redis.
    const lost = await waitForRun(db.db, runId, { timeoutMs: 60_000, pollMs: 100 });
    const rows = await db.db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, runId));
    const leftOut = rows.filter((r) => r.status === 'skipped');
    expect(rows).toHaveLength(6);
    expect(leftOut.length).toBeGreaterThan(0);
    for (const r of leftOut) expect(r.errorCode).toBe(LOST_REGION_CODE);
    expect(lost.status).toBe(leftOut.length === 6 ? 'failed' : 'partial');
    expect(lost.error).toContain(`(skipped: ${LOST_REGION_CODE})`);

    await ledger.trueSoFar(db.db);
    const clean = await waitForRun(db.db, (await enqueueRun(handle.runsQueue)).runId, { timeoutMs: 60_000, pollMs: 100 });
    expect(clean.status).toBe('succeeded');
    await ledger.checkpoint(db.db);
  }, 240_000);

  rec.scenario('Redis flushed under a running worker (no reconnect): /readyz names every missing schedule, which the periodic check declares again', async () => {
    db = await createTestDatabase('postgres');
    const config = { ...workerConfig(world, db.url!, 'swas'), redisUrl: redis.url };
    handle = await startTestWorker(world, config, {
      database: db, httpPort: 0, schedule: { pattern: '0 3 * * *', tz: 'UTC' },
      // Checks far apart: only /readyz's own look (and the check it asks for) can see the loss in time.
      tuning: { scheduleCheckMs: 3_600_000 },
    });
    expect((await readyz(handle)).status).toBe(200);
    const admin = new Redis(redis.url);
    try {
      await admin.flushall();
    } finally {
      admin.disconnect();
    }
    const missing = await readyz(handle);
    expect(missing.status).toBe(503);
    expect(failing(missing)).toEqual([`schedules: schedules missing from Redis: ${SCHEDULER_ID}, ${PRUNE_SCHEDULER_ID} (being re-declared)`]);
    await waitFor('/readyz 200 again', async () => (await readyz(handle!)).status === 200, 30_000, 50);
    expect(await handle.runsQueue.getJobScheduler(SCHEDULER_ID)).toMatchObject({ pattern: '0 3 * * *' });
    expect(await handle.maintenance!.queue.getJobScheduler(PRUNE_SCHEDULER_ID)).toBeDefined();
  }, 120_000);
});
