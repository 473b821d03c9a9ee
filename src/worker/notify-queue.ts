/**
 * The notifier beside the sync queues: a BullMQ queue whose jobs each run one delivery pass over
 * every subscription (the Notifier folds overlapping requests into one more pass). Jobs come from
 * a scheduler (every NOTIFY_POLL_MS: retries that came due, anything a lost wake-up missed) and
 * from region jobs that finished (a wake-up right after their commit). Job data is empty: the
 * subscriptions, URLs and secrets are each worker's own configuration, never in Redis.
 *
 * The database is the source of truth (cursor, deliveries, leases): a job lost with Redis, or a
 * worker SIGKILLed mid-request, loses nothing; the lease expires and the event goes out again
 * with the same webhook-id.
 */
import { Queue, Worker } from 'bullmq';
import type { Subscription } from '../config/subscriptions.js';
import type { Db } from '../db/database.js';
import { Notifier } from '../notify/notifier.js';
import { passErrorText } from '../notify/pass-error-text.js';
import type { Logger } from '../ops/logger.js';
import type { Metrics } from '../ops/metrics.js';
import { NOTIFY_JOB_OPTIONS } from './job-options.js';
import { databaseErrorCode } from './metric-readings.js';
import { JOB_NAMES, NOTIFY_QUEUE, NOTIFY_SCHEDULER_ID } from './queue-names.js';
import type { RedisClient } from './redis-connection.js';
import type { OwnedSchedule } from './schedule-keeper.js';
import { ensureScheduler, schedulerDeclared, type SchedulerDeclaration } from './schedule.js';

export interface NotifyQueueOptions {
  db: Db;
  subscriptions: readonly Subscription[];
  prefix: string;
  /** The queue's connection (shared) and the worker's own (BullMQ blocks on it). */
  connection: RedisClient;
  workerConnection: RedisClient;
  logger: Logger;
  metrics: Metrics;
  /** Default 5000 ms. */
  pollMs?: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
}

export interface NotifyQueueHandle {
  queue: Queue;
  notifier: Notifier;
  /** The poll's scheduler, kept declared by the schedule keeper once run() declared it. */
  owned: OwnedSchedule;
  /**
   * Declares the poll and starts taking jobs. Separate from start: the daemon calls it once its
   * ops port is bound, so a worker that cannot start has delivered nothing.
   */
  run(): Promise<void>;
  /** Asks any worker for a pass now (after a region committed). */
  wake(): void;
  close(force?: boolean): Promise<void>;
}

/** Bounded by age and count (job-options.ts): a pass has nothing worth keeping for long. */
const JOB_OPTIONS = NOTIFY_JOB_OPTIONS;

export const NOTIFY_SCHEDULER: SchedulerDeclaration = {
  id: NOTIFY_SCHEDULER_ID,
  lock: 'notify-schedule',
  template: { name: JOB_NAMES.deliver, data: {}, opts: JOB_OPTIONS },
};

export async function startNotifyQueue(options: NotifyQueueOptions): Promise<NotifyQueueHandle> {
  const { logger, metrics } = options;
  const notifier = new Notifier(options.db, options.subscriptions, {
    onAttempt: (r) => {
      metrics.deliveries.inc({ subscription: r.subscription, outcome: r.outcome });
      if (r.latencyMs !== undefined) metrics.deliveryLatency.observe({ subscription: r.subscription }, r.latencyMs / 1000);
      if (r.outcome === 'dead') logger.error({ subscription: r.subscription, eventId: r.eventId, attempts: r.attempts, reason: r.reason }, 'webhook delivery dead: attempts ran out');
      else if (r.outcome === 'failed') logger.warn({ subscription: r.subscription, eventId: r.eventId, attempts: r.attempts, reason: r.reason }, 'webhook delivery failed; retried later');
    },
    // Not err.message: a failed statement's message carries its SQL and parameters.
    onError: (subscription, err) => {
      const code = databaseErrorCode(err);
      if (code !== null) metrics.countError('database', code);
      logger.error({ subscription, err: passErrorText(err) }, 'webhook delivery pass failed; the next poll retries (leases expire, nothing is lost)');
    },
  });
  const queue = new Queue(NOTIFY_QUEUE, { connection: options.connection, prefix: options.prefix });
  const worker = new Worker(NOTIFY_QUEUE, async () => { await notifier.kick(); }, {
    connection: options.workerConnection, prefix: options.prefix, concurrency: 1, autorun: false,
    lockDuration: options.lockDurationMs, stalledInterval: options.stalledIntervalMs,
  });
  worker.on('error', (err) => logger.error({ err: err.message, queue: NOTIFY_QUEUE }, 'worker error'));
  queue.on('error', (err) => logger.error({ err: err.message, queue: NOTIFY_QUEUE }, 'queue error'));
  await worker.waitUntilReady();
  const declarePoll = () => ensureScheduler(queue, options.connection, options.prefix, NOTIFY_SCHEDULER, { every: options.pollMs ?? 5_000 });
  return {
    queue,
    notifier,
    owned: { id: NOTIFY_SCHEDULER_ID, declared: () => schedulerDeclared(queue, NOTIFY_SCHEDULER_ID), declare: declarePoll },
    run: async () => {
      await declarePoll();
      worker.run().catch((err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err), queue: NOTIFY_QUEUE }, 'worker stopped processing'));
      logger.info({ subscriptions: options.subscriptions.map((s) => s.name), pollMs: options.pollMs ?? 5_000 }, 'notifier started');
    },
    wake: () => {
      queue.add(JOB_NAMES.deliver, {}, JOB_OPTIONS).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'could not queue a notifier wake-up (the poll catches up)'));
    },
    close: async (force = false) => {
      await notifier.stop();
      await worker.close(force);
      await queue.close();
    },
  };
}
