/**
 * `enqueue`: a run on demand, through the same plan job the schedule creates. The run id is
 * chosen here (and passed in the job) so the caller can follow the run in sync_runs.
 */
import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Db } from '../db/database.js';
import { runById, type StoredSyncRun } from '../db/sync-runs.js';
import type { PlanJobData } from './job-data.js';
import { PLAN_JOB_OPTIONS } from './job-options.js';
import { JOB_NAMES } from './queue-names.js';
import { sleep } from './redis-lock.js';

export async function enqueueRun(queue: Queue<PlanJobData>): Promise<{ runId: string; jobId: string }> {
  const runId = randomUUID();
  const jobId = `manual~${runId}`;
  await queue.add(JOB_NAMES.plan, { trigger: 'manual', runId }, { ...PLAN_JOB_OPTIONS, jobId });
  return { runId, jobId };
}

export type FinishedRun = StoredSyncRun;

export class RunWaitTimeoutError extends Error {
  override name = 'RunWaitTimeoutError';
}

/** Polls sync_runs until the run has finished. Is a worker running? The run only starts when one picks it up. */
export async function waitForRun(db: Db, runId: string, options: { timeoutMs: number; pollMs?: number }): Promise<FinishedRun> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const row = await runById(db, runId);
    if (row !== undefined && row.status !== 'running') return row;
    if (Date.now() >= deadline) {
      throw new RunWaitTimeoutError(row === undefined
        ? `Run ${runId} has not started within ${options.timeoutMs} ms: is a worker (swas-inventory worker) running against this Redis and QUEUE_PREFIX?`
        : `Run ${runId} is still running after ${options.timeoutMs} ms; it continues in the background.`);
    }
    await sleep(options.pollMs ?? 500);
  }
}
