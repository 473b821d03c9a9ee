/**
 * Per-account call pacing for the in-process fallback engine (runSync has no limiter of its own;
 * the worker's is shared through Redis). Calls of one account are spaced 1/rate apart, which is
 * stricter than a fixed window, so the fallback can only look worse than the worker, not better.
 */
import { sleep } from './timing.js';

export function createAccountPacer(callsPerSecond: number): (account: string) => Promise<void> {
  const nextSlot = new Map<string, number>();
  const gapMs = 1000 / callsPerSecond;
  return async (account) => {
    const now = Date.now();
    const slot = Math.max(now, nextSlot.get(account) ?? now);
    nextSlot.set(account, slot + gapMs);
    if (slot > now) await sleep(slot - now);
  };
}
