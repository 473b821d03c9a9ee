/**
 * Overlapping runs: a run that fires while the previous one is still going must not add a second
 * job for an (account, region) the previous run has not finished. At planning, a run claims each
 * of its regions in Redis (SET NX, value = run id); regions another run holds are left out of this
 * run, and the claim is released when that region's job reaches a final state.
 *
 * Not BullMQ deduplication: BullMQ 6 forbids it on flow nodes with a parent, and a deduplicated
 * child would leave its parent waiting on a job that never joins it.
 * The claim expires after `ttlMs` as a safety net (a run whose jobs were lost with Redis data).
 */
import type { Redis } from 'ioredis';
import { ownKey } from './queue-names.js';

/** Claims a key for `runId`, or confirms this run already holds it (a re-run of the same plan job). */
const CLAIM = `
local ok = redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX')
if ok then return 1 end
if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('pexpire', KEYS[1], ARGV[2]) return 1 end
return 0`;

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface RegionKey {
  account: string;
  regionId: string;
}

export function claimKey(prefix: string, target: RegionKey): string {
  return ownKey(prefix, 'claim', target.account, target.regionId);
}

/** Splits targets into those this run now owns and those another unfinished run still holds. */
export async function claimRegions<T extends RegionKey>(
  redis: Redis,
  prefix: string,
  runId: string,
  targets: readonly T[],
  ttlMs: number,
): Promise<{ claimed: T[]; heldByOtherRun: T[] }> {
  const pipeline = redis.pipeline();
  for (const t of targets) pipeline.eval(CLAIM, 1, claimKey(prefix, t), runId, String(ttlMs));
  const results = (await pipeline.exec()) ?? [];
  const claimed: T[] = [];
  const heldByOtherRun: T[] = [];
  targets.forEach((t, i) => {
    const [err, value] = results[i] ?? [new Error('no reply'), null];
    if (err) throw err;
    (value === 1 ? claimed : heldByOtherRun).push(t);
  });
  return { claimed, heldByOtherRun };
}

/** Releases a region this run holds; a no-op when it expired or another run holds it now. */
export async function releaseRegion(redis: Redis, prefix: string, runId: string, target: RegionKey): Promise<void> {
  await redis.eval(RELEASE, 1, claimKey(prefix, target), runId);
}

export async function releaseRegions(redis: Redis, prefix: string, runId: string, targets: readonly RegionKey[]): Promise<void> {
  if (targets.length === 0) return;
  const pipeline = redis.pipeline();
  for (const t of targets) pipeline.eval(RELEASE, 1, claimKey(prefix, t), runId);
  await pipeline.exec();
}
