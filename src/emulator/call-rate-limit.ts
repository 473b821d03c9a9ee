import { throttled } from './api-error.js';

/**
 * The gateway's own flow control: a fixed budget of calls per AccessKey per window, on whatever
 * rules the fault plan holds (and not cleared with them). Over budget: HTTP 400 `Throttling.User`
 * with `x-acs-retry-after` = the ms left in the window.
 */
export interface RateLimitSettings {
  /** Calls per AccessKey per window; 0 turns the limit off. */
  limit: number;
  /** Window length in ms. */
  windowMs: number;
}

/**
 * The `emulator` command's default: 10 calls per second per AccessKey. The real ListCustomImages
 * figure is unpublished (the SWAS flow-control page gives per-user limits per minute; ListRegions'
 * older doc says 10 per minute per account); 10/s is a conservative per-second figure that this
 * worker's default budget (SWAS_CALLS_PER_SECOND=5) stays under.
 */
export const DEFAULT_CLI_RATE_LIMIT: RateLimitSettings = { limit: 10, windowMs: 1000 };
export const RATE_LIMIT_OFF: RateLimitSettings = { limit: 0, windowMs: 1000 };

export function parseRateLimit(input: unknown): RateLimitSettings {
  const value = input as Partial<RateLimitSettings> | null;
  const limit = value?.limit;
  const windowMs = value?.windowMs ?? 1000;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) throw new Error('rate limit: "limit" must be a whole number >= 0 (0 turns it off)');
  if (typeof windowMs !== 'number' || !Number.isInteger(windowMs) || windowMs < 1) throw new Error('rate limit: "windowMs" must be a whole number >= 1');
  return { limit, windowMs };
}

export class CallRateLimit {
  private readonly windows = new Map<string, { start: number; count: number }>();
  /** Calls refused since the last reset, for the emulator's own report. */
  throttled = 0;

  constructor(private current: RateLimitSettings) {}

  get settings(): RateLimitSettings {
    return { ...this.current };
  }

  set(settings: RateLimitSettings): void {
    this.current = { ...settings };
    this.windows.clear();
  }

  reset(): void {
    this.windows.clear();
    this.throttled = 0;
  }

  /** Counts the call; throws the throttling error when the key is over its budget. */
  check(accessKeyId: string, nowMs: number): void {
    const { limit, windowMs } = this.current;
    if (limit === 0) return;
    let window = this.windows.get(accessKeyId);
    if (window === undefined || nowMs - window.start >= windowMs) {
      window = { start: nowMs, count: 0 };
      this.windows.set(accessKeyId, window);
    }
    window.count += 1;
    if (window.count > limit) {
      this.throttled += 1;
      throw throttled('Throttling.User', window.start + windowMs - nowMs);
    }
  }
}
