/**
 * Names of the queues and of the worker's own Redis keys. Everything lives under one prefix
 * (QUEUE_PREFIX): BullMQ's keys are `<prefix>:<queue>:...`, ours `<prefix>:swas-inventory:...`.
 *
 * Redis Cluster: a flow writes to both queues in one MULTI and BullMQ's scripts touch several keys
 * of a queue at once, so every key must hash to one slot. With REDIS_CLUSTER_NODES the prefix is a
 * hash tag (`{swas}`, config/env.ts adds the braces): Redis then hashes only `swas`, and all our
 * keys (BullMQ's and ours) share a slot.
 */

/** Plan jobs (from the schedule or `enqueue`) and the flow parents that finish a run. */
export const RUNS_QUEUE = 'sync-runs';
/** One job per account of a run, walking its regions (older workers: one job per (account, region)). */
export const REGIONS_QUEUE = 'sync-regions';

/** Webhook delivery passes (only when the accounts file declares subscriptions). */
export const NOTIFY_QUEUE = 'notifications';
/** The notifier's poll: retries that came due, and anything a lost wake-up left behind. */
export const NOTIFY_SCHEDULER_ID = 'notify-poll';

/** Housekeeping jobs: the daily prune of old run bookkeeping (SWAS_RETENTION_DAYS). */
export const MAINTENANCE_QUEUE = 'maintenance';
export const PRUNE_SCHEDULER_ID = 'prune-runs';

/** The one schedule's id: stable, so every worker upserts the same scheduler. */
export const SCHEDULER_ID = 'sync-schedule';

export const JOB_NAMES = { plan: 'plan-run', finish: 'finish-run', account: 'sync-account', region: 'sync-region', deliver: 'deliver', prune: 'prune-runs' } as const;

export { isHashTagPrefix } from '../config/env.js';

/** A key of ours under the queue prefix, e.g. `ownKey('swas', 'claim', 'prod', 'cn-hangzhou')`. */
export function ownKey(prefix: string, ...parts: string[]): string {
  return [prefix, 'swas-inventory', ...parts].join(':');
}
