import type { Job, Processor } from 'bullmq';
import type { FinishJobData, PlanJobData } from './job-data.js';
import { JOB_NAMES } from './queue-names.js';

/** The runs queue holds two kinds of job; dispatch by name. */
export function createRunsProcessor<P, F>(
  plan: Processor<PlanJobData, P>,
  finish: Processor<FinishJobData, F>,
): Processor<PlanJobData | FinishJobData, P | F> {
  return async (job, token, signal) => {
    if (job.name === JOB_NAMES.finish) return finish(job as unknown as Job<FinishJobData, F>, token, signal);
    if (job.name === JOB_NAMES.plan) return plan(job as unknown as Job<PlanJobData, P>, token, signal);
    throw new Error(`unknown job ${job.name} in the runs queue`);
  };
}
