/**
 * Declares the one schedule of full syncs. Every worker does this at start; BullMQ's
 * upsertJobScheduler has had races when several processes upsert at once (duplicate delayed
 * iterations: taskforcesh/bullmq#2988, #3085), so the upsert runs under a Redis lock and is skipped
 * when the stored schedule already matches. Result: N workers starting together leave one
 * scheduler and one pending iteration.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOB_NAMES, SCHEDULER_ID, ownKey } from './queue-names.js';
import { withRedisLock } from './redis-lock.js';
import { PLAN_JOB_OPTIONS } from './job-options.js';
import type { PlanJobData } from './job-data.js';

/** A cron pattern in a time zone (production), or a fixed interval in ms (tests, demos). */
export type ScheduleSpec = { pattern: string; tz: string } | { every: number };

export type ScheduleOutcome = 'created' | 'updated' | 'unchanged';

export async function ensureSchedule(
  queue: Queue<PlanJobData>,
  redis: Redis,
  prefix: string,
  spec: ScheduleSpec,
): Promise<ScheduleOutcome> {
  return withRedisLock(redis, ownKey(prefix, 'lock', 'schedule'), { ttlMs: 30_000, waitMs: 60_000 }, async () => {
    const existing = await queue.getJobScheduler(SCHEDULER_ID);
    if (existing !== undefined && sameSchedule(existing, spec)) return 'unchanged';
    const repeat = 'every' in spec ? { every: spec.every } : { pattern: spec.pattern, tz: spec.tz };
    await queue.upsertJobScheduler(SCHEDULER_ID, repeat, {
      name: JOB_NAMES.plan,
      data: { trigger: 'schedule' },
      opts: PLAN_JOB_OPTIONS,
    });
    return existing === undefined ? 'created' : 'updated';
  });
}

/** Pure: whether the stored scheduler already says what `spec` says. */
export function sameSchedule(existing: { pattern?: string | null; tz?: string | null; every?: number | string | null }, spec: ScheduleSpec): boolean {
  if ('every' in spec) return Number(existing.every) === spec.every && !existing.pattern;
  return existing.pattern === spec.pattern && (existing.tz ?? 'UTC') === spec.tz && !existing.every;
}
