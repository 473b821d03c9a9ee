/**
 * Job options in one place. Retries live here (the queue), never inside the listing code.
 */
import type { JobsOptions } from 'bullmq';
import { REGION_RETRY_POLICY } from '../sync/retry-policy.js';

/**
 * Finished jobs kept for Bull Board: enough to debug the last runs, bounded by age (seconds) AND
 * count so Redis does not grow with time or with the fleet (docs/WORKER.md, "Retention").
 *
 * Nothing depends on finding an old finished job except the overlap check (start-worker.ts,
 * holderLiveness): a claim's holder whose region job is gone ('unknown') is judged by its run's
 * finish job, and only a holder with neither is taken for "being planned" (for 5 minutes at most).
 * A claim lives 6 h at most (CLAIM_TTL_MS), so finished jobs must be kept longer than that for a
 * finished holder to be recognised by its finish job: 24 h and 7 days are. Removal only ever
 * touches completed or failed jobs, so a live holder (waiting, delayed, active) can never look dead.
 */
export const KEEP_COMPLETED = { age: 24 * 3600, count: 2_000 };
export const KEEP_FAILED = { age: 7 * 24 * 3600, count: 5_000 };

/**
 * A region job: transient failures (5xx, timeouts, resets) retry with exponential backoff and
 * jitter: 5 attempts over roughly 5 + 10 + 20 + 40 s. Throttling does not spend attempts (it is a
 * delay, see process-region-job.ts); permanent errors fail at once (UnrecoverableError). The
 * numbers are the shared REGION_RETRY_POLICY, which the one-shot `sync` applies in-process.
 */
export const REGION_JOB_OPTIONS: JobsOptions = {
  attempts: REGION_RETRY_POLICY.attempts,
  backoff: REGION_RETRY_POLICY.backoff,
  removeOnComplete: KEEP_COMPLETED,
  removeOnFail: KEEP_FAILED,
  // A failed region must not block its run: the run's parent still finishes and reports it.
  ignoreDependencyOnFailure: true,
};

/** The plan job: if ListRegions or Postgres fail outright, try again soon. */
export const PLAN_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 10_000, jitter: 0.5 },
  removeOnComplete: KEEP_COMPLETED,
  removeOnFail: KEEP_FAILED,
} satisfies JobsOptions;

export const FINISH_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
  removeOnComplete: KEEP_COMPLETED,
  removeOnFail: KEEP_FAILED,
};

/** Notifier passes (every 5 s and after each region): only the last hour, the last 200 at most. */
export const NOTIFY_JOB_OPTIONS = {
  attempts: 1,
  removeOnComplete: { age: 3600, count: 200 },
  removeOnFail: { age: 7 * 24 * 3600, count: 1_000 },
} satisfies JobsOptions;

/** The daily prune: a failed one is retried (Postgres away for a moment); a month of them is kept. */
export const PRUNE_JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 60_000, jitter: 0.5 },
  removeOnComplete: { age: 30 * 24 * 3600, count: 100 },
  removeOnFail: { age: 30 * 24 * 3600, count: 100 },
} satisfies JobsOptions;
