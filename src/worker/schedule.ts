/**
 * Declares the worker's job schedulers (the sync schedule, the daily prune, the notifier's poll).
 * Every worker does this at start, and again whenever Redis lost them (schedule-keeper.ts);
 * BullMQ's upsertJobScheduler has had races when several processes upsert at once (duplicate
 * delayed iterations: taskforcesh/bullmq#2988, #3085), so the upsert runs under a Redis lock and is
 * skipped when the stored schedule already matches. Result: N workers starting (or re-declaring)
 * together leave one scheduler and one pending iteration.
 */
import type { JobsOptions, Queue } from 'bullmq';
import { JOB_NAMES, SCHEDULER_ID, ownKey } from './queue-names.js';
import type { RedisClient } from './redis-connection.js';
import { withRedisLock } from './redis-lock.js';
import { PLAN_JOB_OPTIONS } from './job-options.js';
import type { PlanJobData } from './job-data.js';

/** A cron pattern in a time zone (production), or a fixed interval in ms (tests, demos). */
export type ScheduleSpec = { pattern: string; tz: string } | { every: number };

export type ScheduleOutcome = 'created' | 'updated' | 'unchanged';

/** One scheduler of a queue and the job it makes. */
export interface SchedulerDeclaration {
  /** The scheduler id (stable: every worker declares the same one). */
  id: string;
  /** The Redis lock that serializes declarations of this scheduler across workers. */
  lock: string;
  template: { name: string; data: object; opts: Omit<JobsOptions, 'jobId' | 'repeat' | 'delay'> };
}

/** Declares `spec` (or, for `null`, removes the scheduler); one upsert at a time across workers. */
export async function ensureScheduler(
  queue: Queue,
  redis: RedisClient,
  prefix: string,
  declaration: SchedulerDeclaration,
  spec: ScheduleSpec | null,
): Promise<ScheduleOutcome | 'removed'> {
  return withRedisLock(redis, ownKey(prefix, 'lock', declaration.lock), { ttlMs: 30_000, waitMs: 60_000 }, async () => {
    const existing = await queue.getJobScheduler(declaration.id);
    if (spec === null) {
      if (existing === undefined) return 'unchanged';
      await queue.removeJobScheduler(declaration.id);
      return 'removed';
    }
    if (existing !== undefined && sameSchedule(existing, spec)) return 'unchanged';
    const repeat = 'every' in spec ? { every: spec.every } : { pattern: spec.pattern, tz: spec.tz };
    await queue.upsertJobScheduler(declaration.id, repeat, declaration.template);
    return existing === undefined ? 'created' : 'updated';
  });
}

/** Whether Redis still holds the scheduler (one round trip; false after Redis lost its data). */
export async function schedulerDeclared(queue: Queue, id: string): Promise<boolean> {
  return (await queue.getJobScheduler(id)) !== undefined;
}

export const SYNC_SCHEDULER: SchedulerDeclaration = {
  id: SCHEDULER_ID,
  lock: 'schedule',
  template: { name: JOB_NAMES.plan, data: { trigger: 'schedule' } satisfies PlanJobData, opts: PLAN_JOB_OPTIONS },
};

/** The one schedule of full syncs. */
export async function ensureSchedule(queue: Queue<PlanJobData>, redis: RedisClient, prefix: string, spec: ScheduleSpec): Promise<ScheduleOutcome> {
  return await ensureScheduler(queue as Queue, redis, prefix, SYNC_SCHEDULER, spec) as ScheduleOutcome;
}

/** Pure: whether the stored scheduler already says what `spec` says. */
export function sameSchedule(existing: { pattern?: string | null; tz?: string | null; every?: number | string | null }, spec: ScheduleSpec): boolean {
  if ('every' in spec) return Number(existing.every) === spec.every && !existing.pattern;
  return existing.pattern === spec.pattern && (existing.tz ?? 'UTC') === spec.tz && !existing.every;
}
