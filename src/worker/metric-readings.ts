/**
 * What the scrape-time gauges read (src/ops/metrics.ts): region freshness and the last successful
 * run from Postgres (through the reporting views, as `status` reads them), and the queue depths and
 * eviction policy from Redis (schedule presence is the schedule keeper's own check). Each function
 * is one reading; none writes.
 */
import type { Queue } from 'bullmq';
import { sql } from 'drizzle-orm';
import type { RedisClient } from './redis-connection.js';
import { queryRows, type Db } from '../db/database.js';
import { findDatabaseError } from '../db/find-database-error.js';
import type { FreshnessReading, QueueReading } from '../ops/metrics.js';
import { NOTIFY_SCHEDULER_ID, PRUNE_SCHEDULER_ID, SCHEDULER_ID } from './queue-names.js';
import { evictionPolicyProblem, readMaxmemoryPolicy } from './redis-eviction-policy.js';

/** Ages by the database's clock (the one that stamped the listings), so a skewed worker clock cannot make a region look stale. */
export async function readFreshness(db: Db): Promise<FreshnessReading> {
  const rows = await queryRows<{ account: string; region: string; age: number | string | null; last_success_age: number | string | null }>(db, sql`
    select f.account, f.region_id as region, extract(epoch from now() - f.last_complete_listing_at)::float8 as age, null::float8 as last_success_age
    from swas.region_freshness as f
    union all
    select null, null, null, extract(epoch from now() - coalesce(max(finished_at) filter (where status = 'succeeded'), min(started_at)))::float8
    from swas.runs`);
  const regions: FreshnessReading['regions'] = [];
  let lastSuccessAgeSeconds: number | null = null;
  for (const r of rows) {
    if (r.account === null) lastSuccessAgeSeconds = r.last_success_age === null ? null : Math.max(0, Number(r.last_success_age));
    else regions.push({ account: r.account, region: r.region, ageSeconds: r.age === null ? null : Math.max(0, Number(r.age)) });
  }
  return { regions, lastSuccessAgeSeconds };
}

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] as const;

/**
 * Depth by state, and how long the oldest waiting job has been due: its creation plus its delay,
 * or, for a job that ran before and was moved back (throttled, shut down), its last start plus its
 * delay (an upper bound by that run's length: BullMQ keeps no "moved back at" time).
 */
export async function readQueues(queues: readonly Queue[], now: () => number = Date.now): Promise<QueueReading[]> {
  return Promise.all(queues.map(async (queue) => {
    const [counts, [oldest]] = await Promise.all([queue.getJobCounts(...STATES), queue.getJobs(['waiting'], 0, 0, true)]);
    const due = oldest === undefined ? null : Math.max(oldest.timestamp, oldest.processedOn ?? 0) + (oldest.delay ?? 0);
    return { queue: queue.name, counts, oldestWaitingSeconds: due === null ? 0 : Math.max(0, (now() - due) / 1000) };
  }));
}

/** The gauge's name for each scheduler id the worker keeps (schedule-keeper.ts). */
export const SCHEDULE_LABELS: Readonly<Record<string, string>> = { [SCHEDULER_ID]: 'sync', [PRUNE_SCHEDULER_ID]: 'prune', [NOTIFY_SCHEDULER_ID]: 'notifier' };

export async function readRedisPolicy(redis: RedisClient): Promise<{ policy: string | null; safe: boolean }> {
  const policy = await readMaxmemoryPolicy(redis);
  return { policy, safe: evictionPolicyProblem(policy) === null };
}

/**
 * The code an error is counted under when it is not Postgres's: its own code (a socket's
 * `ECONNREFUSED`, a scrape's `SCRAPE_TIMEOUT`), or a Redis reply's first word (`READONLY`, `OOM`,
 * `LOADING`), or its class name.
 */
export function serviceErrorCode(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof e.code === 'string' && e.code !== '') return e.code;
  const word = typeof e.message === 'string' ? /^([A-Z][A-Z_]{2,})\b/.exec(e.message)?.[1] : undefined;
  return word ?? (typeof e.name === 'string' && e.name !== 'Error' ? e.name : 'unknown');
}

/** The database's code under an error (SQLSTATE or connection code), or null when Postgres is not what failed. */
export function databaseErrorCode(err: unknown): string | null {
  return findDatabaseError(err)?.code ?? null;
}
