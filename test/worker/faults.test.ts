import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { regionSyncs } from '../../src/db/schema.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { enqueueRun, waitForRun } from '../../src/worker/enqueue-run.js';
import type { WorkerHandle } from '../../src/worker/start-worker.js';
import { createTestDatabase } from '../helpers/databases.js';
import { uniquePrefix } from '../helpers/redis.js';
import { eventCounts, resetAfterTest, startTestWorker, startWorld, storedImageIds, truthImageIds, workerConfig, type World } from './worker-test-kit.js';

const REGIONS = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'ap-southeast-1', 'us-west-1'];
const RETRY_AFTER = 1_000;
/** A call that took its token just before the Throttling answer may still land a little after it (loaded CI machines). */
const IN_FLIGHT_SLACK = 250;

async function metricSum(handle: WorkerHandle, metric: 'regionSyncs' | 'throttles', label?: string): Promise<number> {
  const values: Array<{ value: number; labels: Record<string, string | number | undefined> }> = (await handle.metrics[metric].get()).values;
  return values.filter((v) => label === undefined || v.labels.status === label).reduce((n, v) => n + v.value, 0);
}

describe('worker under API faults', () => {
  let world: World;
  let db: DatabaseHandle;
  let handle: WorkerHandle | undefined;
  let prefix: string;

  beforeAll(async () => {
    world = await startWorld({ accounts: 3, regions: REGIONS, imagesPerRegion: 3 });
  });
  afterEach(async () => {
    await handle?.close();
    await resetAfterTest(world, prefix, db);
  });
  afterAll(async () => {
    await world?.emu.stop();
  });

  async function start(): Promise<WorkerHandle> {
    db = await createTestDatabase('postgres');
    prefix = uniquePrefix('faults');
    handle = await startTestWorker(world, workerConfig(world, db.url!, prefix), { database: db, tuning: { concurrency: 4 } });
    return handle;
  }

  it('throttling slows a run down but does not fail it; throttled jobs spend no attempt and the account waits out x-acs-retry-after', async () => {
    const uid0 = world.uidOf.get('acct0')!;
    world.emu.setFaults([{ kind: 'throttle', retryAfterMs: RETRY_AFTER, nth: 2, count: 4, match: { accountUid: uid0, action: 'ListCustomImages' } }]);
    const h = await start();
    const startedAt = Date.now();
    const { runId } = await enqueueRun(h.runsQueue);
    const run = await waitForRun(db.db, runId, { timeoutMs: 60_000, pollMs: 100 });
    const elapsed = Date.now() - startedAt;

    expect(run).toMatchObject({ status: 'succeeded', regionsTotal: 15, regionsSucceeded: 15, regionsFailed: 0 });
    expect(await storedImageIds(db.db)).toEqual(truthImageIds(world));
    expect(await metricSum(h, 'throttles')).toBe(4);
    expect(elapsed).toBeGreaterThanOrEqual(RETRY_AFTER);

    // No attempt was spent: every region row says 1 attempt, and no region job ever failed.
    const rows = await db.db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, runId));
    expect(rows.map((r) => r.attempts)).toEqual(Array(15).fill(1));
    expect(await metricSum(h, 'regionSyncs', 'retried')).toBe(0);

    // After each Throttling answer, acct0 made no call until retry-after had passed (calls already in flight aside).
    const log = world.emu.callLog().filter((c) => c.accountUid === uid0);
    const throttled = log.filter((c) => c.code.startsWith('Throttling'));
    expect(throttled).toHaveLength(4);
    for (const t of throttled) {
      const answeredAt = Date.parse(t.time) + t.durationMs;
      const early = log.filter((c) => {
        const at = Date.parse(c.time);
        return at > answeredAt + IN_FLIGHT_SLACK && at < answeredAt + RETRY_AFTER - 50;
      });
      expect(early, `calls within retry-after of throttle #${t.seq}`).toEqual([]);
    }
  });

  it('a permanent error fails its region at once with no retry; transient errors are retried, and exhausted ones recorded; the run is partial', async () => {
    const uid1 = world.uidOf.get('acct1')!;
    const uid2 = world.uidOf.get('acct2')!;
    world.emu.setFaults([
      { kind: 'error', code: 'Forbidden.RAM', status: 403, message: 'User not authorized to operate on the specified resource.',
        match: { accountUid: uid1, region: 'cn-beijing', action: 'ListCustomImages' } },
      { kind: 'error', code: 'InternalError', status: 500, count: 2, match: { accountUid: uid2, region: 'cn-shanghai', action: 'ListCustomImages' } },
      { kind: 'error', code: 'ServiceUnavailable', status: 503, match: { accountUid: uid2, region: 'us-west-1', action: 'ListCustomImages' } },
    ]);
    const h = await start();
    const { runId } = await enqueueRun(h.runsQueue);
    const run = await waitForRun(db.db, runId, { timeoutMs: 60_000, pollMs: 100 });

    expect(run).toMatchObject({ status: 'partial', regionsTotal: 15, regionsSucceeded: 13, regionsFailed: 2 });
    const rows = await db.db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, runId));
    const row = (account: string, region: string) => rows.find((r) => r.account === account && r.regionId === region);

    expect(row('acct1', 'cn-beijing')).toMatchObject({ status: 'failed', attempts: 1, errorCode: 'Forbidden.RAM' });
    // The code is its own column; the message says the status and the API's words once (issue 22 #12).
    expect(row('acct1', 'cn-beijing')?.errorMessage).toMatch(/^HTTP 403: User not authorized/);
    const forbiddenCalls = world.emu.callLog().filter((c) => c.accountUid === uid1 && c.region === 'cn-beijing' && c.action === 'ListCustomImages');
    expect(forbiddenCalls).toHaveLength(1);

    expect(row('acct2', 'cn-shanghai')).toMatchObject({ status: 'succeeded', attempts: 3 });
    expect(row('acct2', 'us-west-1')).toMatchObject({ status: 'failed', attempts: 5, errorCode: 'ServiceUnavailable' });
    const unavailableCalls = world.emu.callLog().filter((c) => c.accountUid === uid2 && c.region === 'us-west-1' && c.action === 'ListCustomImages');
    expect(unavailableCalls).toHaveLength(5);

    // One job per account, each done: a failed region is its row, not a failed job (the job's other regions went on).
    const jobs = await h.regionsQueue.getJobs(['completed', 'failed'], 0, -1);
    expect(jobs.map((j) => [j.data.account, j.finishedOn !== undefined && j.failedReason === undefined]).sort()).toEqual([
      ['acct0', true], ['acct1', true], ['acct2', true],
    ]);
    expect(jobs.find((j) => j.data.account === 'acct2')?.returnvalue).toMatchObject({ regions: { succeeded: 4, failed: 1 } });
    // Failed regions wrote nothing: only the 13 good regions' images exist, none deleted.
    const events = await eventCounts(db.db);
    expect(events.deleted).toBeUndefined();
    const stored = await storedImageIds(db.db);
    expect(stored.length).toBe(run.imagesSeen);
  });
});
