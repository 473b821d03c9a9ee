/**
 * Counts API calls per job, for the `swas_api_calls_total{action, code}` metric. The SDK hook
 * (SwasClients' beforeCall) sees each call start but not its result; the listing stops at its
 * first failure, so every call of a job succeeded except, on failure, the last one.
 * AsyncLocalStorage ties calls to the job that made them while jobs run concurrently.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Metrics } from '../ops/metrics.js';

export interface CallTally {
  calls: Array<{ action: string }>;
}

const storage = new AsyncLocalStorage<CallTally>();

export function withCallTally<T>(fn: () => Promise<T>): { tally: CallTally; result: Promise<T> } {
  const tally: CallTally = { calls: [] };
  return { tally, result: storage.run(tally, fn) };
}

/** Called from the SDK hook: records one call on the current job's tally, if any. */
export function tallyCall(action: string): void {
  storage.getStore()?.calls.push({ action });
}

/** Pure: per (action, code) counts; `failedCode` marks the last call as the one that failed. */
export function summarizeTally(tally: CallTally, failedCode: string | null): Array<{ action: string; code: string; count: number }> {
  const counts = new Map<string, { action: string; code: string; count: number }>();
  tally.calls.forEach((call, i) => {
    const code = failedCode !== null && i === tally.calls.length - 1 ? failedCode : 'OK';
    const key = `${call.action}\u0000${code}`;
    const entry = counts.get(key) ?? { action: call.action, code, count: 0 };
    entry.count++;
    counts.set(key, entry);
  });
  return [...counts.values()];
}

/** Adds a finished job's calls to `swas_api_calls_total`. */
export function recordCallMetrics(metrics: Metrics | undefined, tally: CallTally, failedCode: string | null): void {
  if (metrics === undefined) return;
  for (const { action, code, count } of summarizeTally(tally, failedCode)) metrics.apiCalls.inc({ action, code }, count);
}
