import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import type { AccountJobData, PlanJobData } from '../../src/worker/job-data.js';
import { REGIONS_QUEUE, RUNS_QUEUE } from '../../src/worker/queue-names.js';

export function testRedisUrl(): string {
  const problem = inject('redisProblem');
  if (problem) throw new Error(problem);
  return inject('redisUrl');
}

/** A queue prefix of this test's own, so tests sharing one Redis never see each other's jobs. */
export const uniquePrefix = (label = 'swas'): string => `t-${label}-${randomBytes(4).toString('hex')}`;

/** Deletes every key under this test's prefix (never FLUSHALL: other tests share the server). */
export async function deletePrefix(prefix: string): Promise<void> {
  const redis = new Redis(testRedisUrl());
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A test's own prefix with the worker's two queues on it, as a test outside the worker drives them. */
export interface TestQueues {
  prefix: string;
  /** The connection both queues use (for reading the prefix's keys). */
  redis: Redis;
  runs: Queue<PlanJobData>;
  regions: Queue<AccountJobData>;
  /** Closes both queues and the connection, then deletes every key under the prefix. */
  close(): Promise<void>;
}

/** Opens the queues on a new prefix (`label` names it); `close()` is the whole Redis reset after the test. */
export function openTestQueues(label: string): TestQueues {
  const prefix = uniquePrefix(label);
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
  const runs = new Queue<PlanJobData>(RUNS_QUEUE, { connection: redis, prefix });
  const regions = new Queue<AccountJobData>(REGIONS_QUEUE, { connection: redis, prefix });
  return {
    prefix, redis, runs, regions,
    close: async () => {
      await runs.close();
      await regions.close();
      redis.disconnect();
      await deletePrefix(prefix);
    },
  };
}
