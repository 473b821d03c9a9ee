/**
 * The region job: one (account, region) of a run, through the same syncRegion the CLI uses.
 *
 * What the queue does with each outcome:
 * - success / incomplete listing: done; the sync wrote its region_syncs row in its transaction.
 * - throttled: the account pauses for `x-acs-retry-after` (shared through Redis) and the job moves
 *   back to delayed with DelayedError: it waits, and does not spend an attempt.
 * - transient: rethrown, so BullMQ retries with the job's exponential backoff + jitter; on the
 *   last attempt the failure is recorded in region_syncs first.
 * - permanent: recorded at once, then UnrecoverableError: no retries.
 */
import { DelayedError, UnrecoverableError, type Job, type Processor } from 'bullmq';
import type { ClassifiedError } from '../cloud/classify-error.js';
import type { Logger } from '../ops/logger.js';
import type { Metrics } from '../ops/metrics.js';
import { recordCallMetrics, withCallTally } from './call-tally.js';
import { requireJobData, type RegionJobData, type RegionJobResult } from './job-data.js';
import { decideRetry, REGION_RETRY_POLICY, withJitter } from '../sync/retry-policy.js';

export interface RegionSyncOutcome {
  status: 'succeeded' | 'incomplete' | 'failed';
  images: number;
  apiCalls: number;
  /** Something the region's result should say although it succeeded (ids left with another region). */
  note?: string;
}

export interface RegionFailureRecord {
  code: string;
  message: string;
  attempts: number;
  startedAt: Date;
}

export interface RegionProcessorDeps {
  /** Lists and persists the region; throws the underlying error on failure. */
  syncRegion: (data: RegionJobData, attempt: number) => Promise<RegionSyncOutcome>;
  /** Whether this run already recorded a result for the region (a stalled job that re-runs after its commit). */
  alreadyRecorded: (data: RegionJobData) => Promise<boolean>;
  recordFailure: (data: RegionJobData, failure: RegionFailureRecord) => Promise<void>;
  classify: (error: unknown) => ClassifiedError;
  /** The account-wide pause that honours `x-acs-retry-after`. */
  limiter: { pause(account: string, ms: number): Promise<void>; pausedForMs(account: string): Promise<number> };
  /** Frees the (account, region) for later runs once this job is final. */
  releaseClaim: (data: RegionJobData) => Promise<void>;
  logger: Logger;
  metrics?: Metrics;
  /** Pause when a Throttling answer carries no `x-acs-retry-after`. Default 1000 ms. */
  defaultThrottleDelayMs?: number;
  /** Throttles one job may wait out before they count as failures (a budget that never recovers). Default 100. */
  maxThrottleDelays?: number;
}

/** A failed region's reason as BullMQ stores it: classified, redacted, never the raw SDK error (it may carry request details). */
export class RegionSyncError extends Error {
  override name = 'RegionSyncError';
  constructor(readonly classified: ClassifiedError) {
    super(`${classified.code}: ${classified.message}`);
  }
}

export function createRegionProcessor(deps: RegionProcessorDeps): Processor<RegionJobData, RegionJobResult> {
  const policy = {
    ...REGION_RETRY_POLICY,
    defaultThrottleDelayMs: deps.defaultThrottleDelayMs ?? REGION_RETRY_POLICY.defaultThrottleDelayMs,
    maxThrottleDelays: deps.maxThrottleDelays ?? REGION_RETRY_POLICY.maxThrottleDelays,
  };

  return async (job, token) => {
    const data = requireJobData('region', job);
    const log = deps.logger.child({ runId: data.runId, account: data.account, regionId: data.regionId, jobId: job.id });
    const startedAt = new Date();
    const timer = deps.metrics?.jobDuration.startTimer({ queue: 'regions' });

    // The account is paused by a Throttling answer another job got: wait in the delayed set, not in a worker slot.
    const paused = await deps.limiter.pausedForMs(data.account);
    if (paused > 0) {
      timer?.({ outcome: 'delayed' });
      await delayJob(job, token, withJitter(paused, policy.throttleJitter));
    }

    // Only a job started before (stalled, retried or delayed) can find its region already committed.
    const restarted = job.attemptsStarted > 1 || job.stalledCounter > 0;
    if (restarted && await deps.alreadyRecorded(data)) {
      log.info('region already recorded for this run (job re-delivered after its commit); not syncing again');
      await deps.releaseClaim(data);
      timer?.({ outcome: 'skipped' });
      return { status: 'skipped' };
    }

    const attempt = job.attemptsMade + 1;
    const { tally, result } = withCallTally(() => deps.syncRegion(data, attempt));
    try {
      const outcome = await result;
      recordCallMetrics(deps.metrics, tally, null);
      deps.metrics?.regionSyncs.inc({ status: outcome.status });
      await deps.releaseClaim(data);
      timer?.({ outcome: outcome.status });
      log.info({ status: outcome.status, images: outcome.images, apiCalls: outcome.apiCalls, attempt }, 'region synced');
      if (outcome.note !== undefined) log.warn({ note: outcome.note }, 'listed images belong to another region');
      return { status: outcome.status, imagesSeen: outcome.images, apiCalls: outcome.apiCalls };
    } catch (error) {
      const c = deps.classify(error);
      recordCallMetrics(deps.metrics, tally, c.code);
      const throttles = data.throttles ?? 0;
      // Attempts are BullMQ's (the job's options); the shared policy decides throttle vs retry vs fail.
      const decision = decideRetry({ ...policy, attempts: job.opts.attempts ?? 1 }, c, attempt, throttles);
      if (decision.action === 'throttled') {
        const wait = decision.ms;
        deps.metrics?.throttles.inc({ account: data.account });
        deps.metrics?.regionSyncs.inc({ status: 'throttled' });
        timer?.({ outcome: 'throttled' });
        log.warn({ code: c.code, retryAfterMs: wait, throttles: throttles + 1 }, 'throttled: account paused, job delayed without spending an attempt');
        await deps.limiter.pause(data.account, wait);
        await job.updateData({ ...data, throttles: throttles + 1 });
        await delayJob(job, token, withJitter(wait, policy.throttleJitter));
      }

      const maxAttempts = job.opts.attempts ?? 1;
      const final = decision.action === 'fail';
      timer?.({ outcome: final ? 'failed' : 'retried' });
      deps.metrics?.regionSyncs.inc({ status: final ? 'failed' : 'retried' });
      if (final) {
        log.error({ code: c.code, kind: c.kind, attempt, err: c.message }, 'region failed');
        await deps.recordFailure(data, { code: c.code, message: c.message, attempts: attempt, startedAt });
        await deps.releaseClaim(data);
      } else {
        log.warn({ code: c.code, kind: c.kind, attempt, maxAttempts, err: c.message }, 'region attempt failed; the queue retries it');
      }
      if (c.kind === 'permanent') throw new UnrecoverableError(`${c.code}: ${c.message}`);
      throw new RegionSyncError(c);
    }
  };
}

/** Moves the active job back to the delayed set; the DelayedError tells the worker it was not a failure. */
async function delayJob(job: Job<RegionJobData>, token: string | undefined, ms: number): Promise<never> {
  await job.moveToDelayed(Date.now() + ms, token);
  throw new DelayedError();
}

