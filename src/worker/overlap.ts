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
import type { Queue } from 'bullmq';
import type { RedisClient } from './redis-connection.js';
import { ownKey } from './queue-names.js';
import { accountJobId, finishJobId, regionJobId } from './run-id.js';

/**
 * Claims every key for `runId` in one script (one round trip for a run's regions): per key 1 when
 * this run now holds it (new, expired, or already this run's: a re-run of the same plan job), else
 * the holder's run id.
 */
const CLAIM_ALL = `
local out = {}
for i, key in ipairs(KEYS) do
  local ok = redis.call('set', key, ARGV[1], 'PX', ARGV[2], 'NX')
  if ok then out[i] = 1 else
    local holder = redis.call('get', key)
    if holder == ARGV[1] then redis.call('pexpire', key, ARGV[2]) out[i] = 1
    elseif not holder then redis.call('set', key, ARGV[1], 'PX', ARGV[2]) out[i] = 1
    else out[i] = holder end
  end
end
return out`;

/** Takes a claim over from a dead holder, unless it changed hands meanwhile. */
const TAKE_OVER = `
local holder = redis.call('get', KEYS[1])
if holder == ARGV[3] or not holder then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;

/** Releases the keys this run still holds, in one script; a key another run holds now is left alone. */
const RELEASE_ALL = `
local n = 0
for _, key in ipairs(KEYS) do
  if redis.call('get', key) == ARGV[1] then n = n + redis.call('del', key) end
end
return n`;

/** Keys per script call: bounded, so one call never blocks Redis for long. */
const KEYS_PER_CALL = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += KEYS_PER_CALL) out.push(items.slice(i, i + KEYS_PER_CALL));
  return out;
}

export interface RegionKey {
  account: string;
  regionId: string;
}

/** Whether the holder run's job for a region still runs or will run; `state` says how, for the left-out reason. */
export type HolderLiveness = (holderRunId: string, target: RegionKey) => Promise<{ alive: boolean; state: string }>;

/** A claim with no job yet is a run being planned for this long at most. */
export const PLANNING_GRACE_MS = 5 * 60_000;

/**
 * The rule above, read from the queues: a claim blocks a later run only while its holder's job is
 * alive, the holder's account job, or the region job an older worker planned.
 */
export function queueHolderLiveness(sources: {
  redis: RedisClient;
  prefix: string;
  regionsQueue: Pick<Queue, 'getJobState' | 'toKey'>;
  runsQueue: Pick<Queue, 'getJobState'>;
  /** The claims' TTL: a claim's age is this minus what is left of it. */
  claimTtlMs: number;
}): HolderLiveness {
  const { redis, prefix, regionsQueue, runsQueue, claimTtlMs } = sources;
  return async (holder, target) => {
    let jobId = accountJobId(holder, target.account);
    let state = await regionsQueue.getJobState(jobId);
    if (state === 'unknown') {
      jobId = regionJobId(holder, target.account, target.regionId);
      state = await regionsQueue.getJobState(jobId);
    }
    if (state === 'completed' || state === 'failed') return { alive: false, state };
    if (state === 'active') {
      const locked = await redis.exists(regionsQueue.toKey(`${jobId}:lock`)) === 1;
      return { alive: locked, state: locked ? 'active' : 'active without a lock (its worker died)' };
    }
    if (state !== 'unknown') return { alive: true, state };
    // No job: either its run is still being planned (claims come before the flow), or it is gone.
    const finish = await runsQueue.getJobState(finishJobId(holder));
    if (finish !== 'unknown') return { alive: false, state: 'gone' };
    const age = claimTtlMs - await redis.pttl(claimKey(prefix, target));
    return age < PLANNING_GRACE_MS ? { alive: true, state: 'being planned' } : { alive: false, state: 'never created (its plan job died)' };
  };
}

export function claimKey(prefix: string, target: RegionKey): string {
  return ownKey(prefix, 'claim', target.account, target.regionId);
}

/** Splits targets into those this run now owns and those another live run still holds. */
export async function claimRegions<T extends RegionKey>(
  redis: RedisClient,
  prefix: string,
  runId: string,
  targets: readonly T[],
  ttlMs: number,
  holderLiveness: HolderLiveness = async () => ({ alive: true, state: 'unknown' }),
): Promise<{ claimed: T[]; heldByOtherRun: Array<T & { heldBy: string; holderState: string }> }> {
  const results: unknown[] = [];
  for (const part of chunks(targets)) {
    results.push(...await redis.eval(CLAIM_ALL, part.length, ...part.map((t) => claimKey(prefix, t)), runId, String(ttlMs)) as unknown[]);
  }
  const claimed: T[] = [];
  const heldByOtherRun: Array<T & { heldBy: string; holderState: string }> = [];
  for (const [i, t] of targets.entries()) {
    const value = results[i];
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

/** Releases the regions this run holds (one round trip per 500); a no-op for those expired or held by another run now. */
export async function releaseRegions(redis: RedisClient, prefix: string, runId: string, targets: readonly RegionKey[]): Promise<void> {
  for (const part of chunks(targets)) await redis.eval(RELEASE_ALL, part.length, ...part.map((t) => claimKey(prefix, t)), runId);
}
