/**
 * One region's attempts, shared by the one-shot `sync` (run-sync.ts) and the worker's account job
 * (worker/process-account-job.ts): attempt, classify the error, and let the shared retry policy
 * decide between a throttle (no attempt spent), a retry of the whole region after a backoff, and a
 * failure. How to wait is the caller's strategy: the CLI pauses the account locally and tries
 * again in place; the worker pauses the account through its rate limiter and stops, so the job
 * goes back to the queue.
 */
import type { ClassifiedError } from '../domain/errors.js';
import { decideRetry, transientDelayMs, type RegionRetryPolicy } from './retry-policy.js';

/** How the attempts ended; `throttles` counts the throttles waited out, those before included. */
export type RegionAttemptsEnd<T> = { attempt: number; throttles: number } & (
  | { kind: 'done'; value: T }
  | { kind: 'failed'; error: ClassifiedError }
  /** The strategy stopped (shutting down, or throttled where throttles are waited out elsewhere). */
  | { kind: 'stopped' });

export interface RegionAttemptStrategy<T> {
  /** One attempt at the region, admission included; undefined when it stopped before starting. */
  attempt(attempt: number): Promise<T | undefined>;
  classify(error: unknown): ClassifiedError;
  /** Throttled (`throttles` counts this one): pause the account for `ms`; true to attempt again without spending an attempt. */
  throttled(error: ClassifiedError, ms: number, throttles: number): Promise<boolean>;
  /** A transient failure: wait `waitMs`; true to attempt the whole region again. */
  retrying(error: ClassifiedError, attempt: number, waitMs: number): Promise<boolean>;
}

/** Attempts the region until it is done, fails for good, or the strategy stops; `throttles` are those already waited out. */
export async function attemptRegion<T>(policy: RegionRetryPolicy, throttles: number, strategy: RegionAttemptStrategy<T>): Promise<RegionAttemptsEnd<T>> {
  for (let attempt = 1; ; ) {
    let c: ClassifiedError;
    try {
      const value = await strategy.attempt(attempt);
      return value === undefined ? { kind: 'stopped', attempt, throttles } : { kind: 'done', value, attempt, throttles };
    } catch (error) {
      c = strategy.classify(error);
    }
    const decision = decideRetry(policy, c, attempt, throttles);
    if (decision.action === 'throttled') {
      throttles++;
      if (!await strategy.throttled(c, decision.ms, throttles)) return { kind: 'stopped', attempt, throttles };
      continue;
    }
    if (decision.action === 'retry') {
      if (!await strategy.retrying(c, attempt, transientDelayMs(policy, attempt))) return { kind: 'stopped', attempt, throttles };
      attempt++;
      continue;
    }
    return { kind: 'failed', error: c, attempt, throttles };
  }
}
