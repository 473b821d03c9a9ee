/**
 * The account job: one account's regions of a run, each through the same syncRegion the CLI uses
 * and each its own transaction, its own retries and its own region_syncs row. One BullMQ job per
 * account instead of per region spreads the queue's own cost (about 45 Redis commands and a
 * millisecond of CPU per job) over the account's regions; the API's call budget is per account
 * anyway, so nothing is lost by walking an account's regions in one job.
 *
 * What happens with each region's outcome:
 * - success / incomplete listing: done; the sync wrote its region_syncs row in its transaction.
 *   Claims of final regions are released together when the job ends or is delayed.
 * - transient: retried in the job with the job's backoff (exponential + jitter), the attempt
 *   counted on the region; on the last attempt the failure is recorded in region_syncs.
 * - permanent: recorded at once, no retry; the job goes on with its other regions.
 * - throttled: the account pauses for `x-acs-retry-after` (shared through Redis), no new region
 *   starts, and once the regions in flight are done the job moves back to delayed with its
 *   remaining regions (DelayedError): it waits in Redis, not in a worker slot, and spends no attempt.
 *
 * A job that runs again (delayed, stalled because its worker died, retried because Postgres was
 * away) first reads which of its regions this run already recorded, in one query, and syncs only
 * the rest: a region committed before a crash is never synced twice in one run.
 */
import { DelayedError, type Job, type Processor } from 'bullmq';
import type { ClassifiedError } from '../domain/errors.js';
import type { Logger } from '../ops/logger.js';
import type { ApiCallCounter } from '../sync/fetch-region.js';
import { accountJobData, type AccountJobData, type AccountJobResult, type RegionJobData } from './job-data.js';
import { JOB_NAMES } from './queue-names.js';
import { sleep } from './redis-lock.js';
import type { RegionAdmission } from '../sync/region-admission.js';
import type { ReleaseSlot } from '../sync/region-slots.js';
import { attemptRegion } from '../sync/region-attempts.js';
import { REGION_RETRY_POLICY, withJitter, type RegionRetryPolicy } from '../sync/retry-policy.js';

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

/**
 * How one attempt at a region ended, for the `onRegionEnd` hook (the composition root counts and
 * logs it: report-region-end.ts). `apiCalls` counts the attempt's calls, the failed one included.
 */
export type RegionAttemptEnd = {
  runId: string; account: string; jobId: string | undefined; regionId: string; attempt: number; apiCalls: number;
  /** Since the attempt began, its waits for the account's budget and a slot included. */
  seconds: number;
  /** Since the attempt got its slot: the time it spent listing and on the database. */
  runningSeconds: number;
} & (
  | { outcome: 'synced'; result: RegionSyncOutcome }
  | { outcome: 'throttled'; error: ClassifiedError; retryAfterMs: number; throttles: number }
  | { outcome: 'retried'; error: ClassifiedError; maxAttempts: number; waitMs: number }
  | { outcome: 'failed'; error: ClassifiedError });

/** One region of one run: what a region sync, its failure record and its claim are keyed by. */
export type RegionOfRun = RegionJobData;

export interface AccountProcessorDeps {
  /** Lists and persists one region, counting its API calls on `counter`; throws the underlying error on failure. */
  syncRegion: (region: RegionOfRun, attempt: number, counter: ApiCallCounter, listed?: () => Promise<void>) => Promise<RegionSyncOutcome>;
  /** The regions of this account that this run already recorded (any status): one query. */
  recordedRegions: (runId: string, account: string) => Promise<ReadonlySet<string>>;
  recordFailure: (region: RegionOfRun, failure: RegionFailureRecord) => Promise<void>;
  classify: (error: unknown) => ClassifiedError;
  /** The account-wide pause that honours `x-acs-retry-after`. */
  limiter: { pause(account: string, ms: number): Promise<void>; pausedForMs(account: string): Promise<number> };
  /** Frees regions of the run for later runs once they are final (one pipeline per job execution). */
  releaseClaims: (runId: string, regions: ReadonlyArray<{ account: string; regionId: string }>) => Promise<void>;
  /** Admits each region attempt: its account's budget first (holding nothing), then one of the process's slots (shared fairly by account jobs). */
  admission: RegionAdmission;
  /** True once the worker is shutting down: no new region starts, the rest go back to the queue. */
  isClosing: () => boolean;
  /** A region committed (its events may be new): wakes the notifier. */
  onRegionCommitted?: (region: RegionOfRun) => void;
  /** Each attempt's end (synced, throttled, retried, failed), before the job acts on it: metrics and logs. */
  onRegionEnd?: (end: RegionAttemptEnd) => void;
  logger: Logger;
  /** Pause when a Throttling answer carries no `x-acs-retry-after`. Default 1000 ms. */
  defaultThrottleDelayMs?: number;
  /** Throttles one job may wait out before they count as failures (a budget that never recovers). Default 100. */
  maxThrottleDelays?: number;
}

/** How one region of the job ended in this execution of it. */
type RegionEnd =
  | { kind: 'synced'; outcome: RegionSyncOutcome }
  | { kind: 'failed' }
  /** Left for the job's next execution: throttled, not started, or interrupted by shutdown. */
  | { kind: 'left' };

export function createAccountProcessor(deps: AccountProcessorDeps): Processor<AccountJobData, AccountJobResult> {
  return async (job, token) => {
    const data = accountJobData(job, JOB_NAMES.region);
    const log = deps.logger.child({ runId: data.runId, account: data.account, jobId: job.id });
    const policy: RegionRetryPolicy = {
      ...REGION_RETRY_POLICY,
      attempts: job.opts.attempts ?? 1,
      backoff: (typeof job.opts.backoff === 'object' ? job.opts.backoff : undefined) as RegionRetryPolicy['backoff'] ?? REGION_RETRY_POLICY.backoff,
      defaultThrottleDelayMs: deps.defaultThrottleDelayMs ?? REGION_RETRY_POLICY.defaultThrottleDelayMs,
      maxThrottleDelays: deps.maxThrottleDelays ?? REGION_RETRY_POLICY.maxThrottleDelays,
    };
    const throttles = data.throttles ?? 0;

    // The account is paused by a Throttling answer another job got: wait in the delayed set, not in a worker slot.
    const paused = await deps.limiter.pausedForMs(data.account);
    if (paused > 0) await delayJob(job, token, withJitter(paused, policy.throttleJitter));

    // Only a job started before (stalled, retried or delayed) can find regions already committed.
    const restarted = job.attemptsStarted > 1 || job.stalledCounter > 0;
    const recorded = restarted ? await deps.recordedRegions(data.runId, data.account) : new Set<string>();
    const pending = data.regions.filter((r) => !recorded.has(r.regionId));
    if (recorded.size > 0) {
      log.info({ recorded: data.regions.length - pending.length, pending: pending.length }, 'job re-run: regions this run already recorded are not synced again');
      await deps.releaseClaims(data.runId, data.regions.filter((r) => recorded.has(r.regionId)).map((r) => ({ account: data.account, regionId: r.regionId })));
    }

    let throttledMs = 0;
    // A throttle stops the job's admissions still waiting (they hold no slot, but the job should go back to the queue now).
    const throttled = new AbortController();
    const stopped = (): boolean => throttledMs > 0 || deps.isClosing();
    const owner = job.id ?? `${data.runId}/${data.account}`;

    const syncOne = async (region: RegionOfRun): Promise<RegionEnd> => {
      const startedAt = new Date();
      // What every end of the current attempt reports, read when it ends.
      let ended = (): Omit<RegionAttemptEnd, 'outcome'> => ({ runId: region.runId, account: region.account, jobId: job.id, regionId: region.regionId, attempt: 1, apiCalls: 0, seconds: 0, runningSeconds: 0 });
      const end = await attemptRegion<RegionSyncOutcome>(policy, throttles, {
        attempt: async (attempt) => {
          if (stopped()) return undefined;
          const began = performance.now();
          let admitted = began;
          const counter: ApiCallCounter = { apiCalls: 0 };
          ended = () => ({ runId: region.runId, account: region.account, jobId: job.id, regionId: region.regionId, attempt,
            apiCalls: counter.apiCalls, seconds: (performance.now() - began) / 1000, runningSeconds: (performance.now() - admitted) / 1000 });
          // Each attempt is admitted anew (budget, then slot): backoffs and throttle waits hold no slot.
          let release: ReleaseSlot | null = await deps.admission.admit(region.account, owner, throttled.signal);
          admitted = performance.now();
          let permit: ReleaseSlot | null = null;
          try {
            if (release === null || stopped()) return undefined;
            const slot = release;
            // A region that may be unchanged hands its slot back when its listing ended (writeRegion's
            // `listed`) and records holding a write permit instead.
            const listed = async (): Promise<void> => { permit = await deps.admission.listed(slot); };
            const outcome = await deps.admission.paid(region.account, () => deps.syncRegion(region, attempt, counter, listed));
            release();
            release = null;
            (permit as ReleaseSlot | null)?.();
            permit = null;
            deps.onRegionEnd?.({ ...ended(), outcome: 'synced', result: outcome });
            deps.onRegionCommitted?.(region);
            return outcome;
          } finally {
            release?.();
            (permit as ReleaseSlot | null)?.();
          }
        },
        classify: deps.classify,
        // The account pauses through the limiter (shared through Redis) and the job goes back to the queue.
        throttled: async (c, ms, count) => {
          deps.onRegionEnd?.({ ...ended(), outcome: 'throttled', error: c, retryAfterMs: ms, throttles: count });
          await deps.limiter.pause(region.account, ms);
          throttledMs = Math.max(throttledMs, ms);
          throttled.abort();
          return false;
        },
        retrying: async (c, _attempt, wait) => {
          deps.onRegionEnd?.({ ...ended(), outcome: 'retried', error: c, maxAttempts: policy.attempts, waitMs: wait });
          // A shutdown does not wait out a backoff: the region goes back to the queue with the job.
          return sleepUnlessClosing(wait, deps.isClosing);
        },
      });
      if (end.kind === 'done') return { kind: 'synced', outcome: end.value };
      if (end.kind === 'stopped') return { kind: 'left' };
      const c = end.error;
      deps.onRegionEnd?.({ ...ended(), outcome: 'failed', error: c });
      // If this throws (Postgres away), the job fails and BullMQ retries it: the region, unrecorded, is synced again.
      await deps.recordFailure(region, { code: c.code, message: c.message, attempts: end.attempt, startedAt });
      return { kind: 'failed' };
    };

    const ends = await Promise.all(pending.map((r) => syncOne({ runId: data.runId, account: data.account, regionId: r.regionId, endpoint: r.endpoint })));

    // The regions final in this execution are freed for later runs in one round trip (not one per
    // region: a Redis write is a syscall on each side, and a claim held a few seconds longer only
    // matters to a run planned in those seconds, which then names the region as left out).
    const final = pending.filter((_, i) => ends[i]?.kind !== 'left');
    await deps.releaseClaims(data.runId, final.map((r) => ({ account: data.account, regionId: r.regionId })));
    const left = pending.filter((_, i) => ends[i]?.kind === 'left');
    if (left.length > 0) {
      // Regions recorded meanwhile are found by the next execution's one query; the data keeps the throttle count.
      if (throttledMs > 0) {
        await job.updateData({ ...data, throttles: throttles + 1 });
        await delayJob(job, token, withJitter(throttledMs, policy.throttleJitter));
      }
      log.info({ left: left.length }, 'worker shutting down: the job goes back to the queue with the regions it did not start');
      await delayJob(job, token, 0);
    }

    const result: AccountJobResult = { account: data.account, released: true, regions: { succeeded: 0, incomplete: 0, failed: 0, recorded: recorded.size }, imagesSeen: 0, apiCalls: 0 };
    for (const end of ends) {
      if (end.kind === 'failed') result.regions.failed++;
      if (end.kind !== 'synced') continue;
      result.regions[end.outcome.status]++;
      result.imagesSeen += end.outcome.images;
      result.apiCalls += end.outcome.apiCalls;
    }
    return result;
  };
}

/** Sleeps `ms` in steps of at most 250 ms; false as soon as the worker is closing. */
async function sleepUnlessClosing(ms: number, isClosing: () => boolean): Promise<boolean> {
  const until = Date.now() + ms;
  for (let left = ms; left > 0; left = until - Date.now()) {
    if (isClosing()) return false;
    await sleep(Math.min(left, 250));
  }
  return !isClosing();
}

/** Moves the active job back to the delayed set; the DelayedError tells the worker it was not a failure. */
async function delayJob(job: Job<AccountJobData>, token: string | undefined, ms: number): Promise<never> {
  await job.moveToDelayed(Date.now() + ms, token);
  throw new DelayedError();
}
