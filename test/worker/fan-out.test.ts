import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { regionSyncs } from '../../src/db/schema.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { enqueueRun, waitForRun } from '../../src/worker/enqueue-run.js';
import type { WorkerHandle } from '../../src/worker/start-worker.js';
import { createTestDatabase } from '../helpers/databases.js';
import { uniquePrefix } from '../helpers/redis.js';
import { deletePrefix, eventCounts, startTestWorker, startWorld, storedImageIds, truthImageIds, waitFor, workerConfig, type World } from './worker-test-kit.js';

const REGIONS = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'ap-southeast-1', 'us-west-1'];

async function succeededBy(handle: WorkerHandle): Promise<number> {
  const metric = await handle.metrics.regionSyncs.get();
  return metric.values.filter((v) => v.labels.status === 'succeeded').reduce((n, v) => n + v.value, 0);
}

describe('worker fan-out: 3 accounts x 5 regions', () => {
  let world: World;
  let db: DatabaseHandle;
  const handles: WorkerHandle[] = [];
  const prefixes: string[] = [];

  beforeAll(async () => {
    world = await startWorld({ accounts: 3, regions: REGIONS, imagesPerRegion: 4 });
  });
  afterEach(async () => {
    await Promise.all(handles.splice(0).map((h) => h.close()));
    await Promise.all(prefixes.splice(0).map(deletePrefix));
    await db?.close();
    world.emu.clearFaults();
  });
  afterAll(async () => {
    await world?.emu.stop();
  });

  it('two workers share the 15 region jobs; the run summary is exact and nothing is recorded twice', async () => {
    db = await createTestDatabase('postgres');
    const prefix = uniquePrefix('fan');
    prefixes.push(prefix);
    const config = workerConfig(world, db.url!, prefix);
    // Slow calls so both workers are busy at once, not one draining the queue alone.
    world.emu.setFaults([{ kind: 'latency', ms: 150, match: { action: 'ListCustomImages' } }]);
    handles.push(
      await startTestWorker(world, config, { database: db, tuning: { concurrency: 3 } }),
      await startTestWorker(world, config, { database: db, tuning: { concurrency: 3 } }),
    );

    const { runId } = await enqueueRun(handles[0]!.runsQueue);
    const run = await waitForRun(db.db, runId, { timeoutMs: 60_000, pollMs: 100 });

    const truth = truthImageIds(world);
    expect(truth.length).toBeGreaterThanOrEqual(3 * 5 * 4);
    expect(run).toMatchObject({
      status: 'succeeded', regionsTotal: 15, regionsSucceeded: 15, regionsFailed: 0, regionsIncomplete: 0, imagesSeen: truth.length,
    });
    expect(run.eventCounts).toMatchObject({ created: truth.length, updated: 0, deleted: 0 });

    const rows = await db.db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, runId));
    expect(rows).toHaveLength(15);
    expect(new Set(rows.map((r) => `${r.account}/${r.regionId}`)).size).toBe(15);
    expect(rows.every((r) => r.status === 'succeeded' && r.attempts === 1)).toBe(true);

    expect(await storedImageIds(db.db)).toEqual(truth);
    expect(await eventCounts(db.db)).toEqual({ created: truth.length });

    const [a, b] = [await succeededBy(handles[0]!), await succeededBy(handles[1]!)];
    expect(a + b).toBe(15);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
  });

  it('a run fired while the previous one is still going adds no duplicate region jobs', async () => {
    db = await createTestDatabase('postgres');
    const prefix = uniquePrefix('fan');
    prefixes.push(prefix);
    const config = workerConfig(world, db.url!, prefix);
    world.emu.setFaults([{ kind: 'latency', ms: 400, match: { action: 'ListCustomImages' } }]);
    const handle = await startTestWorker(world, config, { database: db, tuning: { concurrency: 2 } });
    handles.push(handle);

    const first = await enqueueRun(handle.runsQueue);
    await waitFor('the first run to be fanned out', async () => (await handle.regionsQueue.getActiveCount()) > 0, 20_000, 20);
    const second = await enqueueRun(handle.runsQueue);
    const [r1, r2] = await Promise.all([
      waitForRun(db.db, first.runId, { timeoutMs: 90_000, pollMs: 100 }),
      waitForRun(db.db, second.runId, { timeoutMs: 90_000, pollMs: 100 }),
    ]);

    expect(r1).toMatchObject({ status: 'succeeded', regionsTotal: 15 });
    // The second run only got the regions the first had already finished when it was planned; the
    // others it names as left out (held by the first run), and so it is not `succeeded`.
    const rows = await db.db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, second.runId));
    const leftOut = rows.filter((r) => r.status === 'skipped');
    expect(rows).toHaveLength(15);
    expect(leftOut.length).toBeGreaterThan(0);
    for (const r of leftOut) {
      expect(r.errorCode).toBe('HeldByEarlierRun');
      expect(r.errorMessage).toContain(first.runId);
    }
    expect(r2.status).not.toBe('succeeded');
    expect(r2.error).toContain(`${leftOut.length} region(s) not synced`);
    const secondJobs = (await handle.regionsQueue.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed'], 0, -1))
      .filter((j) => j?.data.runId === second.runId);
    expect(secondJobs).toHaveLength(15 - leftOut.length);
    // No (account, region) ever had two jobs in flight: every image was created exactly once.
    const truth = truthImageIds(world);
    expect(await eventCounts(db.db)).toEqual({ created: truth.length });
  });
});
