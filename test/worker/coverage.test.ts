// @long-running: waits for a killed worker's locks to lapse
/**
 * Coverage is part of a run's outcome. A run planned while a killed worker's jobs still hold their
 * regions names them as left out and is not `succeeded`; once the dead jobs' locks lapse (one lock
 * duration), the next run covers every region. A worker stopped by SIGINT frees the regions of
 * the jobs it abandons at once.
 */
import { describe, expect, it } from 'vitest';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { eq } from 'drizzle-orm';
import type { DatabaseHandle } from '../../src/db/database.js';
import { regionSyncs } from '../../src/db/schema.js';
import { enqueueRun, waitForRun } from '../../src/worker/enqueue-run.js';
import type { PlanJobData } from '../../src/worker/job-data.js';
import { REGIONS_QUEUE } from '../../src/worker/queue-names.js';
import type { TestQueues } from '../helpers/redis.js';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';
import { startTestWorker, waitFor, workerConfig, type World } from './worker-test-kit.js';
import { useWorkerScene } from './worker-scene.js';

describe('run coverage after a worker dies or is stopped', () => {
  const scene = useWorkerScene({ accounts: 2, regions: ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'], imagesPerRegion: 2 });
  let world: World;
  let db: DatabaseHandle;
  let prefix: string;
  let redis: Redis;
  let runs: Queue<PlanJobData>;

  async function setUp(label: string): Promise<void> {
    let queues: TestQueues;
    ({ world, db, queues } = await scene.setUp(label));
    ({ prefix, redis, runs } = queues);
  }
  const claims = async () => (await redis.keys(`${prefix}:swas-inventory:claim:*`)).length;
  /** Region jobs' locks (BullMQ's `<job>:lock` keys, which expire one lock duration after their last renewal). */
  const jobLocks = async () => (await redis.keys(`${prefix}:${REGIONS_QUEUE}:*:lock`)).length;
  const rowsOf = (runId: string) => db.db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, runId));

  const startedWorker = async (args: string[]): Promise<WorkerProcess> => {
    scene.proc = await startWorkerProcess(world, db.url!, prefix, args);
    return scene.proc;
  };

  it('after a SIGKILL the next run names the regions still held and is not succeeded; a run one lock duration later covers all', async () => {
    await setUp('cov');
    // Slow listings, long locks: the killed worker's jobs stay "alive" (locked) for 25 s.
    world.emu.setFaults([{ kind: 'latency', ms: 30_000, match: { action: 'ListCustomImages' } }]);
    const proc = await startedWorker(['--no-schedule', '--concurrency', '6', '--lock-duration', '25000', '--stalled-interval', '600000']);
    const first = await enqueueRun(runs);
    await waitFor('all six listings in flight (two account jobs)', async () => world.emu.inFlight() >= 6, 30_000, 20);
    proc.child.kill('SIGKILL');
    await proc.exited;
    const killedAt = Date.now();
    world.emu.clearFaults();

    // A new worker that does not recover stalled jobs for a long while: only the claims' link to the jobs' locks can free them.
    scene.inProcess = await startTestWorker(world, workerConfig(world, db.url!, prefix), {
      database: db, tuning: { lockDurationMs: 5_000, stalledIntervalMs: 600_000 },
    });
    const second = await enqueueRun(runs);
    const r2 = await waitForRun(db.db, second.runId, { timeoutMs: 60_000, pollMs: 100 });
    // Planned while the dead jobs' locks were still alive (25 s): every region was left out, and said so.
    expect(Date.now() - killedAt).toBeLessThan(25_000);
    expect(r2.status).not.toBe('succeeded');
    const leftOut = (await rowsOf(second.runId)).filter((r) => r.status === 'skipped');
    expect(leftOut).toHaveLength(6);
    for (const r of leftOut) {
      expect(r.errorCode).toBe('HeldByEarlierRun');
      expect(r.errorMessage).toContain(first.runId);
    }
    expect(r2.error).toContain('6 region(s) not synced');

    // Once the locks lapse, the dead worker's claims no longer block: the next run covers every region.
    // The in-process worker holds no job now (its run finished), so every lock left is a dead job's.
    await waitFor('the killed jobs\' locks to lapse', async () => (await jobLocks()) === 0, 60_000, 200);
    const third = await enqueueRun(runs);
    const r3 = await waitForRun(db.db, third.runId, { timeoutMs: 60_000, pollMs: 100 });
    expect(r3).toMatchObject({ status: 'succeeded', regionsTotal: 6, regionsSucceeded: 6, regionsFailed: 0 });
  }, 150_000);

  it('SIGINT with jobs that cannot finish in time: their claims are released before the process exits', async () => {
    await setUp('covint');
    world.emu.setFaults([{ kind: 'latency', ms: 30_000, match: { action: 'ListCustomImages' } }]);
    const proc = await startedWorker(['--no-schedule', '--concurrency', '6', '--shutdown-timeout', '500']);
    await enqueueRun(runs);
    await waitFor('all six listings in flight (two account jobs)', async () => world.emu.inFlight() >= 6, 30_000, 20);
    expect(await claims()).toBe(6);
    proc.child.kill('SIGINT');
    expect(await proc.exited, proc.logs()).toEqual({ code: 0, signal: null });
    expect(await claims()).toBe(0);
  }, 120_000);
});
