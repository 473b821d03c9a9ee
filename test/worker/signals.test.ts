import { describe, expect, it } from 'vitest';
import type { Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import { regionSyncs } from '../../src/db/schema.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { enqueueRun, waitForRun } from '../../src/worker/enqueue-run.js';
import type { PlanJobData, AccountJobData } from '../../src/worker/job-data.js';
import type { TestQueues } from '../helpers/redis.js';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';
import { eventCounts, startTestWorker, storedImageIds, truthImageIds, waitFor, workerConfig, type World } from './worker-test-kit.js';
import { useWorkerScene } from './worker-scene.js';

describe('worker process signals', () => {
  const scene = useWorkerScene({ accounts: 2, regions: ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'], imagesPerRegion: 3 });
  let world: World;
  let db: DatabaseHandle;
  let prefix: string;
  let runs: Queue<PlanJobData>;
  let regions: Queue<AccountJobData>;

  async function setUp(latencyMs: number): Promise<void> {
    let queues: TestQueues;
    ({ world, db, queues } = await scene.setUp('sig'));
    ({ prefix, runs, regions } = queues);
    world.emu.setFaults([{ kind: 'latency', ms: latencyMs, match: { action: 'ListCustomImages' } }]);
  }
  const startedWorker = async (args: string[]): Promise<WorkerProcess> => {
    scene.proc = await startWorkerProcess(world, db.url!, prefix, args);
    return scene.proc;
  };

  it('SIGTERM during account jobs: the regions in flight finish, then the process exits 0', async () => {
    await setUp(2_500);
    const proc = await startedWorker(['--no-schedule', '--concurrency', '6', '--shutdown-timeout', '20000']);
    const { runId } = await enqueueRun(runs);
    // Two account jobs, their six regions' listings in flight.
    await waitFor('six listings in flight', async () => world.emu.inFlight() >= 6, 20_000, 20);

    const signalledAt = Date.now();
    proc.child.kill('SIGTERM');
    const exit = await proc.exited;
    expect(exit, proc.logs()).toEqual({ code: 0, signal: null });
    // It waited for the listings in flight (2.5 s each) instead of dropping them.
    expect(Date.now() - signalledAt).toBeGreaterThan(500);
    expect(proc.logs()).toContain('"worker stopped"');

    const rows = await db.db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, runId));
    expect(rows.map((r) => r.status)).toEqual(Array(6).fill('succeeded'));
    expect(await regions.getActiveCount()).toBe(0);
    expect(await regions.getCompletedCount()).toBe(2);
  }, 90_000);

  it('SIGKILL mid-job: the stalled jobs re-run on another worker and the database converges to the emulator', async () => {
    await setUp(1_500);
    const proc = await startedWorker(['--no-schedule', '--concurrency', '2', '--lock-duration', '3000', '--stalled-interval', '1000']);
    const { runId } = await enqueueRun(runs);
    await waitFor('region jobs to be active', async () => (await regions.getActiveCount()) >= 2, 20_000, 20);

    proc.child.kill('SIGKILL');
    expect(await proc.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await regions.getActiveCount()).toBeGreaterThan(0); // orphaned: locked by a dead worker

    world.emu.setFaults([]);
    scene.inProcess = await startTestWorker(world, workerConfig(world, db.url!, prefix), {
      database: db, tuning: { lockDurationMs: 3_000, stalledIntervalMs: 1_000 },
    });
    const run = await waitForRun(db.db, runId, { timeoutMs: 60_000, pollMs: 200 });
    expect(run).toMatchObject({ status: 'succeeded', regionsTotal: 6, regionsSucceeded: 6, regionsFailed: 0 });
    const truth = truthImageIds(world);
    expect(await storedImageIds(db.db)).toEqual(truth);
    expect(await eventCounts(db.db)).toEqual({ created: truth.length });
  }, 90_000);
});
