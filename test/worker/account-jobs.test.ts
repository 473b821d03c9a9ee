/**
 * One BullMQ job per account of a run (process-account-job.ts), against real Redis, Postgres and
 * the emulator: a worker that shuts down mid-job hands the regions it did not start back to the
 * queue and another worker finishes them, each region synced once; region jobs an older worker
 * planned (one per region) still run after an upgrade; the Redis commands a run costs per region
 * stay far below one job per region.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FlowProducer, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { eq } from 'drizzle-orm';
import type { DatabaseHandle } from '../../src/db/database.js';
import { regionSyncs } from '../../src/db/schema.js';
import { startRun } from '../../src/sync/run-record.js';
import { enqueueRun, waitForRun } from '../../src/worker/enqueue-run.js';
import type { AccountJobData, FinishJobData, RegionJobData } from '../../src/worker/job-data.js';
import { FINISH_JOB_OPTIONS, REGION_JOB_OPTIONS } from '../../src/worker/job-options.js';
import { JOB_NAMES, REGIONS_QUEUE, RUNS_QUEUE } from '../../src/worker/queue-names.js';
import { finishJobId, regionJobId } from '../../src/worker/run-id.js';
import type { WorkerHandle } from '../../src/worker/start-worker.js';
import { createTestDatabase } from '../helpers/databases.js';
import { testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { eventCounts, resetAfterTest, startTestWorker, startWorld, storedImageIds, truthImageIds, waitFor, workerConfig, type World } from './worker-test-kit.js';

const REGIONS = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'ap-southeast-1'];

describe('account jobs', () => {
  let world: World;
  let db: DatabaseHandle;
  let prefix: string;
  const handles: WorkerHandle[] = [];

  beforeAll(async () => {
    world = await startWorld({ accounts: 1, regions: REGIONS, imagesPerRegion: 2 });
  });
  afterEach(async () => {
    for (const h of handles.splice(0)) await h.close();
    await resetAfterTest(world, prefix, db);
  });
  afterAll(async () => {
    await world?.emu.stop();
  });

  async function setUp(label: string): Promise<void> {
    db = await createTestDatabase('postgres');
    prefix = uniquePrefix(label);
  }
  async function worker(concurrency: number): Promise<WorkerHandle> {
    const h = await startTestWorker(world, workerConfig(world, db.url!, prefix), { database: db, tuning: { concurrency } });
    handles.push(h);
    return h;
  }
  const claimsLeft = async (): Promise<string[]> => {
    const redis = new Redis(testRedisUrl());
    try {
      return await redis.keys(`${prefix}:swas-inventory:claim:*`);
    } finally {
      redis.disconnect();
    }
  };
  const listingsPerRegion = () => {
    const counts: Record<string, number> = {};
    for (const c of world.emu.callLog()) if (c.action === 'ListCustomImages' && c.region !== null) counts[c.region] = (counts[c.region] ?? 0) + 1;
    return counts;
  };

  it('a worker shut down mid-job finishes the region in flight and hands the rest back; another worker syncs them, each once', async () => {
    await setUp('acct-handoff');
    world.emu.setFaults([{ kind: 'latency', ms: 1_500, match: { action: 'ListCustomImages' } }]);
    const first = await worker(1);
    const { runId } = await enqueueRun(first.runsQueue);
    await waitFor('the first listing in flight', async () => world.emu.inFlight() >= 1, 20_000, 20);
    await first.close();
    handles.splice(handles.indexOf(first), 1);

    // One region finished in the closing worker; the job waits in the queue with the other three.
    const rows = await db.db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, runId));
    expect(rows.map((r) => r.status)).toEqual(['succeeded']);
    const queue = new Queue<AccountJobData>(REGIONS_QUEUE, { connection: { url: testRedisUrl() }, prefix });
    try {
      const [job] = await queue.getJobs(['delayed', 'waiting'], 0, -1);
      expect(job?.data.regions).toHaveLength(4);
    } finally {
      await queue.close();
    }

    world.emu.clearFaults();
    const second = await worker(4);
    const run = await waitForRun(db.db, runId, { timeoutMs: 60_000, pollMs: 100 });
    expect(run).toMatchObject({ status: 'succeeded', regionsTotal: 4, regionsSucceeded: 4 });
    expect(listingsPerRegion()).toEqual(Object.fromEntries(REGIONS.map((r) => [r, 1])));
    const truth = truthImageIds(world);
    expect(await storedImageIds(db.db)).toEqual(truth);
    expect(await eventCounts(db.db)).toEqual({ created: truth.length });
    const [done] = await second.regionsQueue.getJobs(['completed'], 0, -1);
    expect(done?.returnvalue).toMatchObject({ regions: { succeeded: 3, recorded: 1 } });
  }, 90_000);

  it('a shutdown does not wait out a transient backoff: the region goes back to the queue unrecorded', async () => {
    await setUp('acct-backoff');
    const uid = world.uidOf.get('acct0')!;
    world.emu.setFaults([{ kind: 'error', code: 'InternalError', status: 500, match: { accountUid: uid, region: 'cn-beijing', action: 'ListCustomImages' } }]);
    const h = await startTestWorker(world, workerConfig(world, db.url!, prefix), {
      database: db, tuning: { concurrency: 4, regionJobOptions: { backoff: { type: 'fixed', delay: 20_000 } } },
    });
    handles.push(h);
    const { runId } = await enqueueRun(h.runsQueue);
    await waitFor('the other three regions recorded', async () =>
      (await db.db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, runId))).length === 3, 20_000, 50);
    await waitFor('the failed listing answered', async () => world.emu.callLog().some((c) => c.region === 'cn-beijing' && c.status === 500), 20_000, 20);
    const closingAt = Date.now();
    await h.close();
    handles.splice(handles.indexOf(h), 1);
    expect(Date.now() - closingAt).toBeLessThan(5_000);
    const rows = await db.db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, runId));
    expect(rows.map((r) => r.regionId).sort()).toEqual(['ap-southeast-1', 'cn-hangzhou', 'cn-shanghai']);
    const queue = new Queue<AccountJobData>(REGIONS_QUEUE, { connection: { url: testRedisUrl() }, prefix });
    try {
      expect(await queue.getJobCounts('delayed', 'waiting', 'failed', 'completed')).toMatchObject({ failed: 0, completed: 0 });
      expect((await queue.getJobs(['delayed', 'waiting'], 0, -1)).map((j) => j.data.account)).toEqual(['acct0']);
    } finally {
      await queue.close();
    }
  }, 60_000);

  it('region jobs planned by an older worker (one per region) still run and finish their run', async () => {
    await setUp('acct-legacy');
    const runId = crypto.randomUUID();
    await startRun(db.db, { id: runId, trigger: 'manual' });
    const config = workerConfig(world, db.url!, prefix);
    const endpoint = config.endpoint!;
    const flows = new FlowProducer({ connection: { url: testRedisUrl() }, prefix });
    try {
      const finish: FinishJobData = { runId, regions: REGIONS.map((regionId) => ({ account: 'acct0', regionId })) };
      await flows.add({
        name: JOB_NAMES.finish, queueName: RUNS_QUEUE, data: finish, opts: { ...FINISH_JOB_OPTIONS, jobId: finishJobId(runId) },
        children: REGIONS.map((regionId) => {
          const data: RegionJobData = { runId, account: 'acct0', regionId, endpoint };
          return { name: JOB_NAMES.region, queueName: REGIONS_QUEUE, data, opts: { ...REGION_JOB_OPTIONS, jobId: regionJobId(runId, 'acct0', regionId) } };
        }),
      });
    } finally {
      await flows.close();
    }
    await worker(2);
    const run = await waitForRun(db.db, runId, { timeoutMs: 60_000, pollMs: 100 });
    expect(run).toMatchObject({ status: 'succeeded', regionsTotal: 4, regionsSucceeded: 4 });
    expect(await storedImageIds(db.db)).toEqual(truthImageIds(world));
  }, 60_000);

  it('an account job that fails outright (its failures cannot be recorded) leaves no claim behind: the run\'s finish frees its regions', async () => {
    await setUp('acct-failed');
    const h = await startTestWorker(world, workerConfig(world, db.url!, prefix), {
      database: db,
      tuning: { concurrency: 2, regionJobOptions: { attempts: 2, backoff: { type: 'fixed', delay: 50 } } },
      overrides: {
        syncRegion: async () => { throw Object.assign(new Error('denied'), { code: 'Forbidden.RAM', statusCode: 403 }); },
        recordFailure: async () => { throw new Error('the database is away'); },
      },
    });
    handles.push(h);
    const { runId } = await enqueueRun(h.runsQueue);
    const run = await waitForRun(db.db, runId, { timeoutMs: 60_000, pollMs: 100 });
    expect(run.status).toBe('failed');
    const rows = await db.db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, runId));
    expect(rows.map((r) => r.errorCode)).toEqual(Array(4).fill('NotReached'));
    expect((await h.regionsQueue.getFailed()).map((j) => j.attemptsMade)).toEqual([2]);
    expect(await claimsLeft()).toEqual([]);
  }, 60_000);

  it('a region that finished listing writes without its slot: with one slot, the next region starts while the first one still writes', async () => {
    await setUp('acct-write-slot');
    let started = 0;
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => { openGate = resolve; });
    const h = await startTestWorker(world, workerConfig(world, db.url!, prefix), {
      database: db,
      tuning: { concurrency: 1 },
      overrides: {
        // Each region "lists" at once, says so, then "writes": the first one's write waits for the gate.
        syncRegion: async (_region, _attempt, _counter, listed) => {
          const first = started++ === 0;
          await listed?.();
          if (first) await gate;
          return { status: 'succeeded', images: 0, apiCalls: 1 };
        },
      },
    });
    handles.push(h);
    const { runId } = await enqueueRun(h.runsQueue);
    try {
      // Had the first region kept its slot through its write, no second region could start.
      await waitFor('a second region to start while the first writes', () => started >= 2, 20_000);
      expect(started).toBe(2); // the second waits for the one write permit, holding the slot
    } finally {
      openGate();
    }
    await waitForRun(db.db, runId, { timeoutMs: 60_000, pollMs: 100 });
    expect(started).toBe(REGIONS.length);
  }, 60_000);

  it('one job per account: a run of 4 regions adds one region-queue job and frees every claim', async () => {
    await setUp('acct-one');
    const h = await worker(4);
    const { runId } = await enqueueRun(h.runsQueue);
    await waitForRun(db.db, runId, { timeoutMs: 60_000, pollMs: 100 });
    const jobs = await h.regionsQueue.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed'], 0, -1);
    expect(jobs.map((j) => [j.name, j.data.account, j.data.regions.length])).toEqual([[JOB_NAMES.account, 'acct0', 4]]);
    expect(jobs[0]?.returnvalue).toMatchObject({ regions: { succeeded: 4, incomplete: 0, failed: 0, recorded: 0 } });
    expect(await claimsLeft()).toEqual([]);
  }, 60_000);
});
