/**
 * BullMQ keeps a queue's whole state (job hashes, wait lists, schedulers, locks) in ordinary keys:
 * a Redis allowed to evict them silently loses jobs, schedules and job data (a region job whose
 * hash was evicted reads back as `{}`). Only `noeviction` is safe, so the worker refuses to start
 * on any other policy and /readyz turns not ready if the policy changes while it runs.
 */
import { serversOf, type RedisClient } from './redis-connection.js';
import { ConfigurationError } from '../domain/errors.js';

export const SAFE_POLICY = 'noeviction';

/** The `maxmemory_policy` field of `INFO memory` (works where CONFIG is disabled, e.g. managed Redis); null if absent. */
export function parseMaxmemoryPolicy(info: string): string | null {
  const match = /^maxmemory_policy:(\S+)\s*$/m.exec(info);
  return match?.[1] ?? null;
}

/** Why this policy is unsafe for the queues, or null when it is safe. Pure. */
export function evictionPolicyProblem(policy: string | null): string | null {
  if (policy === SAFE_POLICY) return null;
  if (policy === null) {
    return `could not read Redis's maxmemory-policy (INFO memory has no maxmemory_policy); the queues need "${SAFE_POLICY}"`;
  }
  return `Redis maxmemory-policy is "${policy}": it may evict queue keys (jobs, their data, the schedule); ` +
    `set maxmemory-policy ${SAFE_POLICY} (redis.conf or CONFIG SET) for the queues' Redis`;
}

export class RedisEvictionPolicyError extends ConfigurationError {
  override name = 'RedisEvictionPolicyError';
  constructor(readonly policy: string | null, problem: string) {
    super(problem);
  }
}

/**
 * The policy of every server that holds our keys (each master of a cluster: the slot of our prefix
 * may move to any of them in a failover or reshard); the first unsafe one if any, else the safe one.
 */
export async function readMaxmemoryPolicy(redis: RedisClient): Promise<string | null> {
  const policies = await Promise.all((await serversOf(redis)).map(async (node) => parseMaxmemoryPolicy(await node.info('memory'))));
  return policies.find((p) => evictionPolicyProblem(p) !== null) ?? policies[0] ?? null;
}

/** Throws RedisEvictionPolicyError (exit 2: the environment is misconfigured) unless the policy is noeviction. */
export async function assertNoEviction(redis: RedisClient): Promise<void> {
  const policy = await readMaxmemoryPolicy(redis);
  const problem = evictionPolicyProblem(policy);
  if (problem !== null) throw new RedisEvictionPolicyError(policy, problem);
}
