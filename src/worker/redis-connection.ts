import { Redis, type Cluster } from 'ioredis';

/** A connection to a single Redis or to a Redis Cluster: everything of ours works on either. */
export type RedisClient = Redis | Cluster;

export type RedisRole = 'worker' | 'client';

/**
 * One ioredis connection. BullMQ workers need `maxRetriesPerRequest: null`: their blocking calls
 * must wait through a Redis restart instead of failing after 20 retries. One-shot clients (the
 * `enqueue` command) fail fast instead, so a missing Redis is an error rather than a hang.
 */
export function createRedisConnection(url: string, role: RedisRole = 'worker', onError?: (err: Error) => void): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 2,
    enableOfflineQueue: true,
    // Reconnect quickly at first, then at most every 2 s while Redis is down.
    retryStrategy: (times) => Math.min(times * 100, 2_000),
    connectionName: `swas-inventory-${role}`,
    // A connection that never completes fails instead of hanging; a one-shot client's commands
    // also get a deadline (a worker's cannot: BullMQ's blocking calls wait for jobs on purpose).
    connectTimeout: 10_000,
    ...(role === 'client' ? { commandTimeout: 10_000 } : {}),
    lazyConnect: false,
  });
  // ioredis reconnects by itself; the listener only reports (without one it prints to the console).
  redis.on('error', onError ?? (() => {}));
  return redis;
}

/** Closes a connection, waiting for pending replies; falls back to disconnect if Redis is gone. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await Promise.race([redis.quit(), new Promise((_, reject) => setTimeout(() => reject(new Error('quit timeout')), 2_000))]);
  } catch {
    redis.disconnect();
  }
}
