/**
 * Job options in one place. Retries live here (the queue), never inside the listing code.
 */
import type { JobsOptions } from 'bullmq';
import { REGION_RETRY_POLICY } from '../sync/retry-policy.js';

/** Finished jobs kept for Bull Board: enough to debug the last runs, bounded so Redis does not grow. */
const KEEP_COMPLETED = { age: 24 * 3600, count: 2_000 };
const KEEP_FAILED = { age: 7 * 24 * 3600, count: 5_000 };

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
