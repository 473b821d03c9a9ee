import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { requireServices } from './databases.js';

export function testRedisUrl(): string {
  requireServices();
  return inject('redisUrl');
}

/** A queue prefix of this test's own, so tests sharing one Redis never see each other's jobs. */
export const uniquePrefix = (label = 'swas'): string => `t-${label}-${randomBytes(4).toString('hex')}`;
