/**
 * What jobs carry. Never secrets: an account is named, its credentials are looked up by each
 * worker from its own configuration (Bull Board and Redis show job data to whoever can see them).
 */
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
