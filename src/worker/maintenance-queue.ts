/**
 * Housekeeping beside the sync queues: a small queue whose one scheduler runs the retention prune
 * (src/sync/prune-runs.ts) once a day by default. Its own queue, not the runs queue, so the runs
 * processor and the "one plan iteration pending" invariant of the sync schedule stay as they are.
 *
 * The scheduler is declared like the sync schedule (under a Redis lock, skipped when unchanged), so
 * N workers starting together leave one; SWAS_RETENTION_DAYS=0 removes it. Every worker processes
 * prune jobs (concurrency 1); a prune is idempotent, so a retried or duplicated one is harmless.
 */
import { Queue, Worker } from 'bullmq';
import type { Db } from '../db/database.js';
import type { Logger } from '../ops/logger.js';
import type { Metrics } from '../ops/metrics.js';
import { pruneRuns, type PruneResult } from '../sync/prune-runs.js';
import type { OwnedSchedule } from './schedule-keeper.js';
import { PRUNE_JOB_OPTIONS } from './job-options.js';
import { JOB_NAMES, MAINTENANCE_QUEUE, PRUNE_SCHEDULER_ID } from './queue-names.js';
import type { RedisClient } from './redis-connection.js';
import { ensureScheduler, schedulerDeclared, type SchedulerDeclaration, type ScheduleSpec } from './schedule.js';

/** Daily at 03:41 in SYNC_TZ: off the quarter hours the default SYNC_CRON fires on. */
export const DEFAULT_PRUNE_PATTERN = '41 3 * * *';

export interface MaintenanceQueueOptions {
  db: Db;
  prefix: string;
  connection: RedisClient;
  workerConnection: RedisClient;
  logger: Logger;
  metrics: Metrics;
  /** SWAS_RETENTION_DAYS; 0 keeps everything (no scheduler, and a declared one is removed). */
  retentionDays: number;
  /** When to prune; `false`: this worker declares nothing (it still processes prune jobs). */
  schedule: ScheduleSpec | false;
  lockDurationMs: number;
  stalledIntervalMs: number;
}

export interface MaintenanceQueueHandle {
  queue: Queue;
  /** The prune schedule this worker keeps declared (schedule-keeper.ts); null when it declares none. */
  owned: OwnedSchedule | null;
  close(force?: boolean): Promise<void>;
}

export async function startMaintenanceQueue(options: MaintenanceQueueOptions): Promise<MaintenanceQueueHandle> {
  const { logger, metrics, retentionDays } = options;
  const queue = new Queue(MAINTENANCE_QUEUE, { connection: options.connection, prefix: options.prefix });
  queue.on('error', (err) => logger.error({ err: err.message, queue: MAINTENANCE_QUEUE }, 'queue error'));
  const worker = new Worker(MAINTENANCE_QUEUE, async (): Promise<PruneResult | { skipped: string }> => {
    if (retentionDays === 0) return { skipped: 'SWAS_RETENTION_DAYS is 0 (keep everything)' };
    const result = await pruneRuns(options.db, { olderThanDays: retentionDays });
    metrics.prunedRows.inc({ table: 'sync_runs' }, result.syncRuns);
    metrics.prunedRows.inc({ table: 'region_syncs' }, result.regionSyncs);
    logger.info({ retentionDays, cutoff: result.cutoff.toISOString(), syncRuns: result.syncRuns, regionSyncs: result.regionSyncs,
      batches: result.batches, keptHistoryRuns: result.keptHistoryRuns }, 'pruned old run bookkeeping');
    return result;
  }, {
    connection: options.workerConnection, prefix: options.prefix, concurrency: 1,
    lockDuration: options.lockDurationMs, stalledInterval: options.stalledIntervalMs,
  });
  worker.on('error', (err) => logger.error({ err: err.message, queue: MAINTENANCE_QUEUE }, 'worker error'));
  worker.on('failed', (job, err) => logger.error({ jobId: job?.id, err: err.message }, 'prune failed (retried; the next daily prune catches up)'));
  if (options.schedule !== false) {
    const outcome = await ensurePruneSchedule(queue, options.connection, options.prefix, retentionDays === 0 ? null : options.schedule);
    logger.info({ schedule: options.schedule, retentionDays, outcome }, 'prune schedule declared');
  }
  await worker.waitUntilReady();
  const spec = options.schedule;
  return {
    queue,
    owned: spec === false || retentionDays === 0 ? null : {
      id: PRUNE_SCHEDULER_ID,
      declared: () => schedulerDeclared(queue, PRUNE_SCHEDULER_ID),
      declare: () => ensurePruneSchedule(queue, options.connection, options.prefix, spec),
    },
    close: async (force = false) => {
      await worker.close(force);
      await queue.close();
    },
  };
}

export const PRUNE_SCHEDULER: SchedulerDeclaration = {
  id: PRUNE_SCHEDULER_ID,
  lock: 'prune-schedule',
  template: { name: JOB_NAMES.prune, data: {}, opts: PRUNE_JOB_OPTIONS },
};

/** Declares (or, for `null`, removes) the prune scheduler; one upsert at a time across workers. */
export async function ensurePruneSchedule(queue: Queue, redis: RedisClient, prefix: string, spec: ScheduleSpec | null): Promise<'created' | 'updated' | 'unchanged' | 'removed'> {
  return ensureScheduler(queue, redis, prefix, PRUNE_SCHEDULER, spec);
}
