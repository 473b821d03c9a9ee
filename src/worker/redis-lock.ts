import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis-connection.js';

/** Deletes the key only if it still holds our token: never release a lock someone else took after ours expired. */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface LockOptions {
  /** The lock expires by itself after this long, so a crashed holder cannot block others forever. */
  ttlMs: number;
  /** How long to wait for the lock before giving up. */
  waitMs: number;
  pollMs?: number;
}

export class LockTimeoutError extends Error {
  override name = 'LockTimeoutError';
}

/** Runs `fn` while holding a Redis lock (SET NX PX). Single-instance Redis semantics, which is what BullMQ needs anyway. */
export async function withRedisLock<T>(redis: RedisClient, key: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const token = randomUUID();
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const ok = await redis.set(key, token, 'PX', options.ttlMs, 'NX');
    if (ok === 'OK') break;
    if (Date.now() >= deadline) throw new LockTimeoutError(`Timed out after ${options.waitMs} ms waiting for Redis lock ${key}`);
    await sleep(options.pollMs ?? 50);
  }
  try {
    return await fn();
  } finally {
    await redis.eval(RELEASE, 1, key, token);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
