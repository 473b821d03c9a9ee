import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq, gte } from 'drizzle-orm';
import { syncRuns } from '../../src/db/schema.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { SCHEDULER_ID } from '../../src/worker/queue-names.js';
import type { WorkerHandle } from '../../src/worker/start-worker.js';
import { createTestDatabase } from '../helpers/databases.js';
import { uniquePrefix } from '../helpers/redis.js';
import { deletePrefix, startTestWorker, startWorld, waitFor, workerConfig, type World } from './worker-test-kit.js';

describe('worker schedule', () => {
  let world: World;
  let db: DatabaseHandle;
  const handles: WorkerHandle[] = [];
  const prefixes: string[] = [];

  beforeAll(async () => {
    world = await startWorld({ accounts: 1, regions: ['cn-hangzhou', 'cn-shanghai'], imagesPerRegion: 3 });
    db = await createTestDatabase('postgres');
  });
  afterEach(async () => {
    await Promise.all(handles.splice(0).map((h) => h.close()));
    await Promise.all(prefixes.splice(0).map(deletePrefix));
  });
  afterAll(async () => {
    await world?.emu.stop();
    await db?.close();
  });

  it('three workers starting at once leave exactly one schedule and one pending iteration', async () => {
    const prefix = uniquePrefix('sched');
    prefixes.push(prefix);
    const config = workerConfig(world, db.url!, prefix, { SYNC_CRON: '0 3 * * *', SYNC_TZ: 'Asia/Shanghai' });
    handles.push(...await Promise.all([0, 1, 2].map(() => startTestWorker(world, config, {
      database: db, schedule: { pattern: config.syncCron, tz: config.syncTz },
    }))));
    const queue = handles[0]!.runsQueue;
    expect(await queue.getJobSchedulersCount()).toBe(1);
    const scheduler = await queue.getJobScheduler(SCHEDULER_ID);
    expect(scheduler).toMatchObject({ pattern: '0 3 * * *', tz: 'Asia/Shanghai' });
    // One iteration waits for 03:00 Shanghai time; no duplicates from the concurrent upserts.
    const delayed = await queue.getDelayed();
    expect(delayed.map((j) => j.name)).toEqual(['plan-run']);
    expect(await queue.getWaitingCount()).toBe(0);
  });

  it('a changed SYNC_CRON replaces the schedule instead of adding a second one', async () => {
    const prefix = uniquePrefix('sched');
    prefixes.push(prefix);
    const config = workerConfig(world, db.url!, prefix);
    const first = await startTestWorker(world, config, { database: db, schedule: { pattern: '*/15 * * * *', tz: 'UTC' } });
    await first.close();
    const second = await startTestWorker(world, config, { database: db, schedule: { pattern: '*/5 * * * *', tz: 'UTC' } });
    handles.push(second);
    expect(await second.runsQueue.getJobSchedulersCount()).toBe(1);
    expect((await second.runsQueue.getJobScheduler(SCHEDULER_ID))?.pattern).toBe('*/5 * * * *');
    expect(await second.runsQueue.getDelayedCount()).toBe(1);
  });

  it('a scheduled run fires, syncs every region and records a succeeded run', async () => {
    const prefix = uniquePrefix('sched');
    prefixes.push(prefix);
    const config = workerConfig(world, db.url!, prefix);
    const started = Date.now();
    handles.push(await startTestWorker(world, config, { database: db, schedule: { every: 2_000 } }));
    // The first iteration of this test's schedule (later ones may overlap it on a slow machine and
    // then own fewer regions: that is the overlap rule, tested in fan-out.test.ts).
    const run = await waitFor('the first scheduled run to finish', async () => {
      const [row] = await db.db.select().from(syncRuns)
        .where(and(eq(syncRuns.trigger, 'schedule'), gte(syncRuns.startedAt, new Date(started - 1_000))))
        .orderBy(asc(syncRuns.startedAt)).limit(1);
      return row !== undefined && row.status !== 'running' ? row : undefined;
    }, 30_000);
    expect(run).toMatchObject({ status: 'succeeded', regionsTotal: 2, regionsSucceeded: 2, regionsFailed: 0, imagesSeen: 6 });
  });
});
