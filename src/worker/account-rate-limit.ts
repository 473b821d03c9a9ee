/**
 * Per-account API call budgets, shared by every worker process through Redis.
 *
 * - Budget: rate-limiter-flexible's RateLimiterRedis (a fixed window per account; the library
 *   stores windows in whole seconds, so 0.5 calls/s becomes 1 call per 2 s) behind a
 *   RateLimiterQueue, which makes callers wait their turn instead of failing.
 * - Back-off: when the API answers `Throttling*`, the account pauses until `x-acs-retry-after`
 *   has passed, for every worker: a `pause-until` key with a millisecond expiry. Calls check it
 *   before taking a token.
 *
 * The one-shot `sync` (no Redis) uses the same class in memory (`AccountRateLimiter.inMemory`):
 * RateLimiterMemory instead of RateLimiterRedis and an in-process pause, same budgets and waits.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RedisClient } from './redis-connection.js';
import { RateLimiterMemory, RateLimiterQueue, RateLimiterRedis } from 'rate-limiter-flexible';
import { ownKey } from './queue-names.js';
import { sleep } from './redis-lock.js';

/** Keeps the later of two pauses: a short retry-after must not cut a longer one short. */
const EXTEND_PAUSE = `
local current = redis.call('pttl', KEYS[1])
if current < tonumber(ARGV[1]) then redis.call('set', KEYS[1], '1', 'PX', ARGV[1]) end
return 1`;

/** Pure: the fixed window for a calls-per-second budget in whole seconds, as the library needs. */
export function budgetWindow(callsPerSecond: number): { points: number; duration: number } {
  if (!(callsPerSecond > 0)) throw new Error(`callsPerSecond must be > 0, got ${callsPerSecond}`);
  const duration = Math.max(1, Math.ceil(1 / callsPerSecond));
  return { points: Math.max(1, Math.floor(callsPerSecond * duration)), duration };
}

export class AccountRateLimiter {
  /** A call admitted ahead (region-admission.ts): the first acquire() of its account inside takes no token. */
  private readonly paidCall = new AsyncLocalStorage<{ account: string; left: number }>();
  private readonly queues = new Map<string, RateLimiterQueue>();
  /**
   * When each account's pause ends (ms since epoch) as this process knows it: its own pauses, and
   * (Redis mode) the ones it read. In memory that is the whole truth; with Redis, Redis is.
   */
  private readonly pausedUntil = new Map<string, number>();

  constructor(
    /** null = this process only (the one-shot `sync`). */
    private readonly redis: RedisClient | null,
    private readonly prefix: string,
    /** The budget of an account (calls per second). */
    private readonly budgetOf: (account: string) => number,
  ) {}

  /** Budgets and pauses for this process alone (no Redis): the one-shot `sync`. */
  static inMemory(budgetOf: (account: string) => number): AccountRateLimiter {
    return new AccountRateLimiter(null, 'memory', budgetOf);
  }

  /**
   * Waits until `account` may make one more API call (its pause has passed and a token is free).
   *
   * The pause is checked right before every call, a paid one too: a throttle that came after the
   * region's admission (while it waited for a slot) still holds its call back. A paid call (the
   * first of a region, inside its slot) checks the pause this process knows of, not Redis: the
   * pauses its own throttles set, and the last one it read from Redis, which the admission's own
   * acquire() read right before the slot. A Redis round trip there waited behind the queue's
   * traffic on the shared connection: 7.4 ms of a 140 ms slot at 200 accounts warm. What this
   * leaves out is another process's throttle of the same account while this region waited for
   * its slot: an account's regions of a run are all in one job, so only overlapping runs can do
   * that, and the call it lets through is answered Throttling and pauses the account here too.
   */
  async acquire(account: string): Promise<void> {
    const paid = this.paidCall.getStore();
    if (paid !== undefined && paid.account === account && paid.left > 0) {
      for (let wait = this.knownPauseMs(account); wait > 0; wait = this.knownPauseMs(account)) await sleep(wait);
      paid.left--;
      return;
    }
    for (;;) {
      const paused = await this.pausedForMs(account);
      if (paused <= 0) break;
      await sleep(paused);
    }
    await this.queueOf(account).removeTokens(1, account);
  }

  /** Runs `fn` with one call of `account` already paid (its token taken by acquire() before a slot). */
  withPaidCall<T>(account: string, fn: () => Promise<T>): Promise<T> {
    return this.paidCall.run({ account, left: 1 }, fn);
  }

  /** After a Throttling answer: pause every worker's calls for `account` for `ms`. */
  async pause(account: string, ms: number): Promise<void> {
    if (ms <= 0) return;
    this.knowPause(account, ms);
    if (this.redis === null) return;
    await this.redis.eval(EXTEND_PAUSE, 1, this.pauseKey(account), String(Math.ceil(ms)));
  }

  /** How long the account is still paused (0 when it is not). */
  async pausedForMs(account: string): Promise<number> {
    if (this.redis === null) return this.knownPauseMs(account);
    const ttl = await this.redis.pttl(this.pauseKey(account));
    if (ttl > 0) this.knowPause(account, ttl);
    return ttl > 0 ? ttl : 0;
  }

  /** How long `account` is still paused as far as this process knows, without asking Redis. */
  private knownPauseMs(account: string): number {
    const end = this.pausedUntil.get(account);
    if (end === undefined) return 0;
    const left = end - Date.now();
    if (left <= 0) this.pausedUntil.delete(account);
    return Math.max(0, left);
  }

  private knowPause(account: string, ms: number): void {
    this.pausedUntil.set(account, Math.max(this.pausedUntil.get(account) ?? 0, Date.now() + Math.ceil(ms)));
  }

  private pauseKey(account: string): string {
    return ownKey(this.prefix, 'pause', account);
  }

  private queueOf(account: string): RateLimiterQueue {
    let queue = this.queues.get(account);
    if (queue === undefined) {
      const window = budgetWindow(this.budgetOf(account));
      const limiter = this.redis === null
        ? new RateLimiterMemory({ keyPrefix: 'budget', ...window })
        : new RateLimiterRedis({ storeClient: this.redis, keyPrefix: ownKey(this.prefix, 'budget'), ...window });
      queue = new RateLimiterQueue(limiter);
      this.queues.set(account, queue);
    }
    return queue;
  }
}
