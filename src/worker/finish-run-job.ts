/**
 * The flow's parent: runs once every region job of the run is final. It aggregates region_syncs
 * into the run's summary through the same finishRun the CLI uses; a region whose job was lost
 * without recording anything is recorded there as left out (`NotReached`), never as success.
 */
import type { Processor } from 'bullmq';
import type { FinishRunOptions, RunSummary } from '../sync/run-record.js';
import type { Logger } from '../ops/logger.js';
import { requireJobData, type AccountJobResult, type FinishJobData } from './job-data.js';

export interface FinishDeps {
  finishRun: (runId: string, opts: FinishRunOptions) => Promise<RunSummary>;
  /** Frees these regions of the run for later runs (a safety net: each account job frees its own). */
  releaseClaims: (runId: string, regions: FinishJobData['regions']) => Promise<void>;
  logger: Logger;
  /** The run is final (metrics hang off this, not off the job). */
  onRunFinished?: (summary: RunSummary) => void;
}

export function createFinishProcessor(deps: FinishDeps): Processor<FinishJobData, RunSummary> {
  return async (job) => {
    const data = requireJobData('finish', job);
    const { runId, regions, error } = data;
    const summary = await deps.finishRun(runId, { expected: regions, ...(error !== undefined ? { error } : {}) });
    // Only the regions of account jobs that did not complete (failed, lost) can still be claimed.
    const released = new Set(Object.values(await job.getChildrenValues() as Record<string, unknown>)
      .filter((v): v is AccountJobResult => typeof v === 'object' && v !== null && (v as AccountJobResult).released === true)
      .map((v) => v.account));
    await deps.releaseClaims(runId, regions.filter((r) => !released.has(r.account)));
    deps.onRunFinished?.(summary);
    deps.logger.info({ runId, status: summary.status, regions: summary.regionsTotal, failed: summary.regionsFailed, leftOut: summary.regionsLeftOut,
      images: summary.imagesSeen, events: summary.eventCounts }, 'sync run finished');
    return summary;
  };
}
