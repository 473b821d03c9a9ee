/**
 * The account budget shared through Redis: a region's first call (paid at its admission, made
 * inside its call slot) checks the account's pause without a Redis round trip, and is still held
 * back by a pause this process set; an unpaid call still reads the pause other processes set.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AccountRateLimiter } from '../../src/worker/account-rate-limit.js';
import { deletePrefix, testRedisUrl, uniquePrefix } from '../helpers/redis.js';

describe('AccountRateLimiter (Redis)', () => {
  const prefix = uniquePrefix('budget');
  let redis: Redis;
  beforeAll(() => { redis = new Redis(testRedisUrl()); });
  afterAll(async () => { redis.disconnect(); await deletePrefix(prefix); });

  it('a paid call asks Redis nothing; the admission before it read the pause', async () => {
    const limiter = new AccountRateLimiter(redis, prefix, () => 5);
    const pttl = vi.spyOn(redis, 'pttl');
    await limiter.acquire('a1');
    expect(pttl).toHaveBeenCalledTimes(1);
    await limiter.withPaidCall('a1', () => limiter.acquire('a1'));
    expect(pttl).toHaveBeenCalledTimes(1);
    pttl.mockRestore();
  });

  it("a pause this process set holds a paid call back until it passed", async () => {
    const limiter = new AccountRateLimiter(redis, prefix, () => 5);
    await limiter.acquire('a2');
    await limiter.pause('a2', 300);
    const began = performance.now();
    await limiter.withPaidCall('a2', () => limiter.acquire('a2'));
    expect(performance.now() - began).toBeGreaterThanOrEqual(250);
  });

  it("another process's pause holds this one's next admission, and the paid call after it", async () => {
    const here = new AccountRateLimiter(redis, prefix, () => 5);
    const there = new AccountRateLimiter(redis, prefix, () => 5);
    await there.pause('a3', 300);
    const began = performance.now();
    await here.acquire('a3');
    expect(performance.now() - began).toBeGreaterThanOrEqual(250);
    await here.withPaidCall('a3', () => here.acquire('a3'));
    expect(await here.pausedForMs('a3')).toBe(0);
  });
});
