/**
 * What jobs carry. Never secrets: an account is named, its credentials are looked up by each
 * worker from its own configuration (Bull Board and Redis show job data to whoever can see them).
 */
import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import type { Endpoint } from '../cloud/swas-client.js';

export type PlanTrigger = 'schedule' | 'manual';

export interface PlanJobData {
  trigger: PlanTrigger;
  /** Set by `enqueue` so the caller knows the run id; scheduled jobs derive it from their job id. */
  runId?: string;
}

export interface RegionTarget {
  account: string;
  regionId: string;
  endpoint: Endpoint;
}

/** A region job as planned before account jobs (a queue left over from an older worker still holds them). */
export interface RegionJobData extends RegionTarget {
  runId: string;
  /** Throttling answers this job has waited out so far (they do not spend attempts). */
  throttles?: number;
}

/** One region of an account job, and the region a sync is told to list. */
export type AccountRegion = Pick<RegionTarget, 'regionId' | 'endpoint'>;

/**
 * The account job: one account's regions of a run, walked by one job (the API's call budget is
 * per account anyway). Each region is still its own transaction and its own region_syncs row.
 */
export interface AccountJobData {
  runId: string;
  account: string;
  regions: AccountRegion[];
  /** Throttling answers this job has waited out so far (they do not spend attempts). */
  throttles?: number;
}

export interface FinishJobData {
  runId: string;
  /** Regions this run owns (claimed at planning), so one that never reports still counts as failed. */
  regions: Array<{ account: string; regionId: string }>;
  /** Set when region discovery failed for some account: the run then reports `failed`, as the CLI does. */
  error?: string;
}

/** What an account job returns (kept in Redis as the job's return value; shown in Bull Board). */
export interface AccountJobResult {
  account: string;
  /** Every region of the job is final and its claim released (so the run's finish need not release them again). */
  released: true;
  /** Regions by outcome in this attempt; `recorded` = already recorded by an earlier attempt of the job. */
  regions: { succeeded: number; incomplete: number; failed: number; recorded: number };
  imagesSeen: number;
  apiCalls: number;
}

/**
 * A job whose data is gone (its hash evicted or truncated in Redis) must fail as exactly that,
 * never reach the sync as `account: undefined`. Checked first thing in every processor.
 */
export class MissingJobDataError extends UnrecoverableError {
  override name = 'MissingJobDataError';
  constructor(queue: string, jobId: string | undefined, missing: readonly string[]) {
    super(`job ${queue}/${jobId ?? '?'} has no usable data (missing ${missing.join(', ')}): its Redis keys were lost or evicted; ` +
      'the queues need a Redis with maxmemory-policy noeviction (docs/WORKER.md)');
  }
}

const text = z.string().min(1);
const endpoint = z.object({ host: text }).passthrough();
const throttles = z.number().int().nonnegative().optional();
const schemas = {
  region: z.object({ runId: text, account: text, regionId: text, endpoint, throttles }).passthrough(),
  account: z.object({
    runId: text, account: text,
    regions: z.array(z.object({ regionId: text, endpoint }).passthrough()).min(1),
    throttles,
  }).passthrough(),
  plan: z.object({ trigger: z.enum(['schedule', 'manual']), runId: text.optional() }).passthrough(),
  finish: z.object({
    runId: text,
    regions: z.array(z.object({ account: text, regionId: text }).passthrough()),
    error: z.string().optional(),
  }).passthrough(),
};

/** The job's data, checked; throws MissingJobDataError naming the missing or malformed fields. */
export function requireJobData<K extends keyof typeof schemas>(
  kind: K,
  job: { id?: string | undefined; queueName: string; data: unknown },
): JobDataOf<K> {
  const parsed = schemas[kind].safeParse(job.data ?? {});
  if (!parsed.success) {
    const missing = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || 'data'))];
    throw new MissingJobDataError(job.queueName, job.id, missing);
  }
  return job.data as JobDataOf<K>;
}

type JobDataOf<K> = K extends 'region' ? RegionJobData : K extends 'account' ? AccountJobData : K extends 'plan' ? PlanJobData : FinishJobData;

/**
 * An account job's data from either job of the regions queue: an account job as is, a region job
 * of an older worker's run as an account job of that one region (so an upgrade mid-run converges).
 */
export function accountJobData(job: { id?: string | undefined; name: string; queueName: string; data: unknown }, legacyName: string): AccountJobData {
  if (job.name !== legacyName) return requireJobData('account', job);
  const r = requireJobData('region', job);
  return { runId: r.runId, account: r.account, regions: [{ regionId: r.regionId, endpoint: r.endpoint }], ...(r.throttles !== undefined ? { throttles: r.throttles } : {}) };
}
