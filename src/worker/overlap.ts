/**
 * Overlapping runs: a run that fires while the previous one is still going must not add a second
 * job for an (account, region) the previous run has not finished. At planning, a run claims each
 * of its regions in Redis (SET NX, value = run id); the claim is released when that region's job
 * reaches a final state, or when the worker running it shuts down.
 *
 * A claim only blocks while the holder's region job is alive: waiting or delayed in the queue, or
 * active under a live job lock. A holder whose job is gone, final, or active with its lock lapsed
 * (its worker was killed) no longer blocks: the claim is taken over. So a crashed worker's regions
 * come back after one lock duration (30 s by default), not after the claim's TTL, which is only a
 * safety net for claims whose job never existed (a plan job that died half-way).
 *
 * Not BullMQ deduplication: BullMQ 6 forbids it on flow nodes with a parent, and a deduplicated
 * child would leave its parent waiting on a job that never joins it.
 */
import type { Redis } from 'ioredis';
import { ownKey } from './queue-names.js';

/** Claims a key for `runId`, or confirms this run already holds it (a re-run of the same plan job); else returns the holder. */
const CLAIM = `
local ok = redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX')
if ok then return 1 end
local holder = redis.call('get', KEYS[1])
if holder == ARGV[1] then redis.call('pexpire', KEYS[1], ARGV[2]) return 1 end
if not holder then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return holder`;

/** Takes a claim over from a dead holder, unless it changed hands meanwhile. */
const TAKE_OVER = `
local holder = redis.call('get', KEYS[1])
if holder == ARGV[3] or not holder then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface RegionKey {
  account: string;
  regionId: string;
}

/** Whether the holder run's job for a region still runs or will run; `state` says how, for the left-out reason. */
export type HolderLiveness = (holderRunId: string, target: RegionKey) => Promise<{ alive: boolean; state: string }>;

export function claimKey(prefix: string, target: RegionKey): string {
  return ownKey(prefix, 'claim', target.account, target.regionId);
}

/** Splits targets into those this run now owns and those another live run still holds. */
export async function claimRegions<T extends RegionKey>(
  redis: Redis,
  prefix: string,
  runId: string,
  targets: readonly T[],
  ttlMs: number,
  holderLiveness: HolderLiveness = async () => ({ alive: true, state: 'unknown' }),
): Promise<{ claimed: T[]; heldByOtherRun: Array<T & { heldBy: string; holderState: string }> }> {
  const pipeline = redis.pipeline();
  for (const t of targets) pipeline.eval(CLAIM, 1, claimKey(prefix, t), runId, String(ttlMs));
  const results = (await pipeline.exec()) ?? [];
  const claimed: T[] = [];
  const heldByOtherRun: Array<T & { heldBy: string; holderState: string }> = [];
  for (const [i, t] of targets.entries()) {
    const [err, value] = results[i] ?? [new Error('no reply'), null];
    if (err) throw err;
    if (value === 1) {
      claimed.push(t);
      continue;
    }
    const holder = String(value);
    const { alive, state } = await holderLiveness(holder, t);
    if (!alive && await redis.eval(TAKE_OVER, 1, claimKey(prefix, t), runId, String(ttlMs), holder) === 1) claimed.push(t);
    else heldByOtherRun.push({ ...t, heldBy: holder, holderState: state });
  }
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
