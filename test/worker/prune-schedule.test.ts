/**
 * The worker prunes on its own (issue 14): a scheduler in the maintenance queue runs the retention
 * prune, logs what it removed (pino JSON) and counts it in swas_pruned_rows_total; SWAS_RETENTION_DAYS=0
 * declares no scheduler (and removes one declared before) and a prune job then removes nothing.
 * Every queue's finished jobs are bounded by age and count.
 */
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows, type DatabaseHandle } from '../../src/db/database.js';
import { createLogger } from '../../src/ops/logger.js';
import { pruneRuns } from '../../src/sync/prune-runs.js';
import { closeAbandonedRuns } from '../../src/sync/run-record.js';
import { FINISH_JOB_OPTIONS, KEEP_COMPLETED, KEEP_FAILED, NOTIFY_JOB_OPTIONS, PLAN_JOB_OPTIONS, PRUNE_JOB_OPTIONS, REGION_JOB_OPTIONS } from '../../src/worker/job-options.js';
import { JOB_NAMES, PRUNE_SCHEDULER_ID, SCHEDULER_ID } from '../../src/worker/queue-names.js';
import type { WorkerHandle } from '../../src/worker/start-worker.js';
import { createTestDatabase } from '../helpers/databases.js';
import { uniquePrefix } from '../helpers/redis.js';
import { writeRunHistory } from '../helpers/run-history-fixture.js';
import { deletePrefix, startTestWorker, startWorld, waitFor, workerConfig, type World } from './worker-test-kit.js';

const counts = async (db: DatabaseHandle) => (await queryRows<{ runs: number; regions: number }>(db.db, sql`select
  (select count(*) from swas.sync_runs)::int as runs, (select count(*) from swas.region_syncs)::int as regions`))[0]!;

describe('the worker\'s scheduled prune', () => {
  let world: World;
  let db: DatabaseHandle;
  const dbs: DatabaseHandle[] = [];
  const handles: WorkerHandle[] = [];
  const prefixes: string[] = [];

  beforeAll(async () => {
    world = await startWorld({ accounts: 1, regions: ['cn-hangzhou'], imagesPerRegion: 1 });
  });
  afterEach(async () => {
    await Promise.all(handles.splice(0).map((h) => h.close()));
    await Promise.all(prefixes.splice(0).map(deletePrefix));
    await Promise.all(dbs.splice(0).map((d) => d.close()));
  });
  afterAll(async () => { await world?.emu.stop(); });

  it('runs on its schedule, removes what the retention says, logs it as JSON and counts it in a metric', async () => {
    db = await createTestDatabase('postgres');
    dbs.push(db);
    await writeRunHistory(db.db);
    // The worker closes the fixture's long-abandoned running run at start, which makes it prunable.
    expect(await closeAbandonedRuns(db.db)).toBe(1);
    const before = await counts(db);
    const expected = await pruneRuns(db.db, { olderThanDays: 90, dryRun: true });
    expect(expected.regionSyncs).toBeGreaterThan(0);
    const prefix = uniquePrefix('prune');
    prefixes.push(prefix);
    const log = new PassThrough();
    let lines = '';
    log.on('data', (c: Buffer) => { lines += c.toString('utf8'); });
    const handle = await startTestWorker(world, workerConfig(world, db.url!, prefix), {
      database: db, pruneSchedule: { every: 300 }, logger: createLogger({ level: 'info', destination: log, pretty: false }),
    });
    handles.push(handle);
    await waitFor('the scheduled prune', async () => (await counts(db)).regions === before.regions - expected.regionSyncs);
    expect(await counts(db)).toEqual({ runs: before.runs - expected.syncRuns, regions: before.regions - expected.regionSyncs });
    const pruned = await waitFor('the prune log line', async () => lines.split('\n').filter((l) => l.includes('pruned old run bookkeeping'))
      .map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => Number(l.regionSyncs) > 0));
    expect(pruned).toMatchObject({ retentionDays: 90, syncRuns: expected.syncRuns, regionSyncs: expected.regionSyncs, keptHistoryRuns: 2 });
    const metrics = await handle.metrics.registry.metrics();
    expect(metrics).toContain(`swas_pruned_rows_total{table="region_syncs"} ${expected.regionSyncs}`);
    expect(metrics).toContain(`swas_pruned_rows_total{table="sync_runs"} ${expected.syncRuns}`);
    // One scheduler, carrying the bounded job options; the sync schedule is not declared by this test worker.
    const queue = handle.maintenance!.queue;
    expect(await queue.getJobSchedulersCount()).toBe(1);
    const scheduler = await queue.getJobScheduler(PRUNE_SCHEDULER_ID);
    expect(scheduler?.name).toBe(JOB_NAMES.prune);
    expect(scheduler?.template?.opts).toMatchObject({ removeOnComplete: PRUNE_JOB_OPTIONS.removeOnComplete, removeOnFail: PRUNE_JOB_OPTIONS.removeOnFail });
    expect(await handle.runsQueue.getJobScheduler(SCHEDULER_ID)).toBeUndefined();
  });

  it('SWAS_RETENTION_DAYS=0 removes the scheduler and a prune job then removes nothing', async () => {
    db = await createTestDatabase('postgres');
    dbs.push(db);
    await writeRunHistory(db.db);
    const before = await counts(db);
    const prefix = uniquePrefix('prune');
    prefixes.push(prefix);
    // A worker that keeps 90 days declares the schedule, but with a daily pattern it does not fire here.
    const first = await startTestWorker(world, workerConfig(world, db.url!, prefix), { database: db, pruneSchedule: { pattern: '41 3 * * *', tz: 'UTC' } });
    expect(await first.maintenance!.queue.getJobSchedulersCount()).toBe(1);
    await first.close();
    const keepAll = await startTestWorker(world, workerConfig(world, db.url!, prefix, { SWAS_RETENTION_DAYS: '0' }), {
      database: db, pruneSchedule: { every: 300 },
    });
    handles.push(keepAll);
    const queue = keepAll.maintenance!.queue;
    expect(await queue.getJobSchedulersCount()).toBe(0);
    const job = await queue.add(JOB_NAMES.prune, {}, PRUNE_JOB_OPTIONS);
    await waitFor('the prune job', async () => (await queue.getJobState(job.id!)) === 'completed');
    expect((await queue.getJob(job.id!))?.returnvalue).toMatchObject({ skipped: expect.stringContaining('keep everything') });
    expect(await counts(db)).toEqual(before);
  });

  it('bounds the finished jobs of every queue by age and count, and keeps them longer than a claim can live', () => {
    for (const [name, opts] of Object.entries({ REGION_JOB_OPTIONS, PLAN_JOB_OPTIONS, FINISH_JOB_OPTIONS, NOTIFY_JOB_OPTIONS, PRUNE_JOB_OPTIONS })) {
      for (const keep of [opts.removeOnComplete, opts.removeOnFail]) {
        expect(keep, name).toEqual({ age: expect.any(Number), count: expect.any(Number) });
        const { age, count } = keep as { age: number; count: number };
        expect(age, name).toBeGreaterThan(0);
        expect(count, name).toBeGreaterThan(0);
      }
    }
    // holderLiveness (start-worker.ts) recognises a finished holder by its finish job for as long
    // as the holder's claim can exist (6 h): the runs queue must keep finished jobs longer.
    expect(KEEP_COMPLETED.age * 1000).toBeGreaterThan(6 * 3600_000);
    expect(KEEP_FAILED.age * 1000).toBeGreaterThan(6 * 3600_000);
    expect(FINISH_JOB_OPTIONS.removeOnComplete).toBe(KEEP_COMPLETED);
  });
});
