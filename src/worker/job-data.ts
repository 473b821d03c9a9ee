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

export interface RegionJobData extends RegionTarget {
  runId: string;
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

/** What a region job returns (kept in Redis as the job's return value; shown in Bull Board). */
export interface RegionJobResult {
  status: 'succeeded' | 'incomplete' | 'failed' | 'skipped';
  imagesSeen?: number;
  apiCalls?: number;
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
const schemas = {
  region: z.object({
    runId: text, account: text, regionId: text,
    endpoint: z.object({ host: text }).passthrough(),
    throttles: z.number().int().nonnegative().optional(),
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
): K extends 'region' ? RegionJobData : K extends 'plan' ? PlanJobData : FinishJobData {
  const parsed = schemas[kind].safeParse(job.data ?? {});
  if (!parsed.success) {
    const missing = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || 'data'))];
    throw new MissingJobDataError(job.queueName, job.id, missing);
  }
  return job.data as K extends 'region' ? RegionJobData : K extends 'plan' ? PlanJobData : FinishJobData;
}
