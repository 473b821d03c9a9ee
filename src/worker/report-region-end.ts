/**
 * The worker's metrics and log lines for each attempt at a region, wired by the composition root
 * (start-worker.ts) as the account job's `onRegionEnd` hook: the job decides what happens to a
 * region, this says so.
 */
import type { Logger } from '../ops/logger.js';
import type { Metrics } from '../ops/metrics.js';
import { recordCallMetrics } from './call-tally.js';
import type { RegionAttemptEnd } from './process-account-job.js';

/** The hook: counts the attempt (calls, outcome, duration) and logs it on the job's logger context. */
export function reportRegionEnd(logger: Logger, metrics: Metrics | undefined): (end: RegionAttemptEnd) => void {
  return (end) => {
    const log = logger.child({ runId: end.runId, account: end.account, jobId: end.jobId });
    const where = { regionId: end.regionId };
    // How long the attempt ran once it had its slot (listing and database): a wait on a dependency
    // that stopped answering shows here.
    const ran = { ...where, seconds: Math.round(end.runningSeconds * 1000) / 1000 };
    const outcome = end.outcome === 'synced' ? end.result.status : end.outcome;
    recordCallMetrics(metrics, 'ListCustomImages', end.apiCalls, end.outcome === 'synced' ? null : end.error.code);
    if (end.outcome === 'throttled') metrics?.throttles.inc({ account: end.account });
    metrics?.regionSyncs.inc({ status: outcome });
    metrics?.jobDuration.observe({ queue: 'regions', outcome }, end.seconds);
    switch (end.outcome) {
      case 'synced':
        log.info({ ...ran, status: end.result.status, images: end.result.images, apiCalls: end.result.apiCalls, attempt: end.attempt }, 'region synced');
        if (end.result.note !== undefined) log.warn({ ...where, note: end.result.note }, 'listed images belong to another region');
        return;
      case 'throttled':
        log.warn({ ...ran, code: end.error.code, retryAfterMs: end.retryAfterMs, throttles: end.throttles },
          'throttled: account paused; the job goes back to the queue with its remaining regions, spending no attempt');
        return;
      case 'retried':
        log.warn({ ...ran, code: end.error.code, kind: end.error.kind, attempt: end.attempt, maxAttempts: end.maxAttempts, waitMs: end.waitMs, err: end.error.message },
          'region attempt failed; retrying the whole region');
        return;
      case 'failed':
        log.error({ ...ran, code: end.error.code, kind: end.error.kind, attempt: end.attempt, err: end.error.message }, 'region failed');
    }
  };
}
