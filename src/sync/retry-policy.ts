/**
 * The one retry policy of a region sync, shared by both runners: the worker's queue (BullMQ job
 * options and the region job's throttle handling) and the one-shot `sync` (its in-process loop).
 * Pure. Retries happen around a whole region, never inside a listing: a listing that fails part
 * way is thrown away and the region starts again from page 1.
 */
import type { BackoffOptions } from 'bullmq';
// The backoff module alone, not the bullmq entry point: the one-shot sync would otherwise load
// all of BullMQ and ioredis (~25 MB RSS) for this one pure function.
import { Backoffs } from 'bullmq/dist/esm/classes/backoffs.js';
import type { ClassifiedError } from '../domain/errors.js';

export interface RegionRetryPolicy {
  /** Attempts for transient failures (5xx, timeouts, resets), the first one included. */
  attempts: number;
  /** BullMQ's backoff between transient attempts (the queue applies it itself; the CLI through `transientDelayMs`). */
  backoff: BackoffOptions & { delay: number };
  /** Pause when a Throttling answer carries no `x-acs-retry-after`. */
  defaultThrottleDelayMs: number;
  /** Throttles one region may wait out (they spend no attempt) before they count as a failure: a budget that never recovers. */
  maxThrottleDelays: number;
  /** Spread of the wait after a throttle (0.2 = up to 20 % longer), so callers woken together do not call together. */
  throttleJitter: number;
}

/**
 * Transient failures: 5 attempts with exponential backoff from 5 s and 50 % jitter (about
 * 5 + 10 + 20 + 40 s); throttles wait out `x-acs-retry-after` (default 1 s) up to 100 times.
 */
export const REGION_RETRY_POLICY: RegionRetryPolicy = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
  defaultThrottleDelayMs: 1_000,
  maxThrottleDelays: 100,
  throttleJitter: 0.2,
};

/** One attempt, no waiting: every failure is final (tests that want to see each fault as a failed region). */
export const SINGLE_ATTEMPT_POLICY: RegionRetryPolicy = { ...REGION_RETRY_POLICY, attempts: 1, maxThrottleDelays: 0 };

export type RetryDecision =
  /** Wait `ms` (the account is paused that long) and try again without spending an attempt. */
  | { action: 'throttled'; ms: number }
  /** A transient failure with attempts left: try again (after the backoff). */
  | { action: 'retry' }
  /** Permanent, or out of attempts / throttle waits: record the failure. */
  | { action: 'fail' };

/**
 * What to do after attempt `attempt` (1-based) failed with `error`, having waited out `throttles`
 * throttles before (this one not counted).
 */
export function decideRetry(policy: RegionRetryPolicy, error: ClassifiedError, attempt: number, throttles: number): RetryDecision {
  if (error.kind === 'throttled' && throttles < policy.maxThrottleDelays) {
    return { action: 'throttled', ms: error.retryAfterMs ?? policy.defaultThrottleDelayMs };
  }
  if (error.kind === 'permanent' || attempt >= policy.attempts) return { action: 'fail' };
  return { action: 'retry' };
}

/** The wait before attempt `attempt + 1`: BullMQ's own backoff function, so both runners wait alike. */
export function transientDelayMs(policy: RegionRetryPolicy, attempt: number): number {
  const ms = Backoffs.calculate(policy.backoff, attempt, new Error('transient'), undefined as never);
  return typeof ms === 'number' && Number.isFinite(ms) ? ms : policy.backoff.delay;
}

/** `ms` stretched by up to `ratio` at random. */
export function withJitter(ms: number, ratio = 0.2, random: () => number = Math.random): number {
  return Math.round(ms * (1 + ratio * random()));
}
