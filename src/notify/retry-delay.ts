/**
 * When a failed delivery is tried again. Pure (the random source is a parameter).
 * Exponential backoff with full jitter (a uniform delay in [0, min(max, base * 2^(n-1))]) spreads
 * the retries of many events so a receiver that comes back is not hit by all of them at once; a
 * Retry-After the receiver sent is a floor.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export function retryDelayMs(policy: BackoffPolicy, failedAttempts: number, retryAfterMs: number | null, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failedAttempts - 1));
  const jittered = Math.floor(random() * ceiling);
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, policy.maxMs));
}

/** Retry-After as seconds or an HTTP date (RFC 9110), in ms from `now`; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
