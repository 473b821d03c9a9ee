import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

export function testRedisUrl(): string {
  const problem = inject('redisProblem');
  if (problem) throw new Error(problem);
  return inject('redisUrl');
}

/** A queue prefix of this test's own, so tests sharing one Redis never see each other's jobs. */
export const uniquePrefix = (label = 'swas'): string => `t-${label}-${randomBytes(4).toString('hex')}`;
