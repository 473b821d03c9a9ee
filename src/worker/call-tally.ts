/**
 * Counts API calls for the `swas_api_calls_total{action, code}` metric from the counter each sync
 * already keeps (`ApiCallCounter`: the listing increments it per page call). A listing stops at
 * its first failure, so every call of an attempt succeeded except, on failure, the last one.
 *
 * Not AsyncLocalStorage (this used to be): an active AsyncLocalStorage turns on Node's promise
 * hooks for the whole process, a cost on every promise of every region, for one counter.
 */
import type { Metrics } from '../ops/metrics.js';

/** Pure: the (action, code) counts of `calls` calls, the last one failed with `failedCode` when set. */
export function summarizeCalls(action: string, calls: number, failedCode: string | null): Array<{ action: string; code: string; count: number }> {
  if (calls <= 0) return [];
  if (failedCode === null) return [{ action, code: 'OK', count: calls }];
  return [...(calls > 1 ? [{ action, code: 'OK', count: calls - 1 }] : []), { action, code: failedCode, count: 1 }];
}

/** Adds an attempt's calls to `swas_api_calls_total`. */
export function recordCallMetrics(metrics: Metrics | undefined, action: string, calls: number, failedCode: string | null): void {
  if (metrics === undefined) return;
  for (const { code, count } of summarizeCalls(action, calls, failedCode)) metrics.apiCalls.inc({ action, code }, count);
}
