/**
 * The plan job: starts a run and fans it out as a BullMQ flow, one child job per account (its
 * claimed regions, see process-account-job.ts) in the regions queue and a parent in the runs
 * queue that finishes the run once every child is done (failed children included: they are
 * `ignoreDependencyOnFailure`).
 *
 * Re-runnable: the run id comes from the job id, child job ids from (run, account), and
 * startRun / the claims accept the same run again, so a plan job re-run after a crash adds nothing twice.
 */
import { settleBounded } from '../domain/settle-bounded.js';
import type { FlowProducer, JobsOptions, Processor } from 'bullmq';
import type { RedisClient } from './redis-connection.js';
import type { ClassifiedError } from '../domain/errors.js';
import type { LeftOutRegion } from '../sync/run-record.js';
import { describeUnknownRegions, type UnknownRegion } from '../config/select-regions.js';
import type { Logger } from '../ops/logger.js';
import type { Metrics } from '../ops/metrics.js';
import type { ApiCallCounter } from '../sync/fetch-region.js';
import { recordCallMetrics } from './call-tally.js';
import { requireJobData, type AccountJobData, type FinishJobData, type PlanJobData, type RegionTarget } from './job-data.js';
import { FINISH_JOB_OPTIONS, REGION_JOB_OPTIONS } from './job-options.js';
import { claimRegions, type HolderLiveness } from './overlap.js';
import { JOB_NAMES, REGIONS_QUEUE, RUNS_QUEUE } from './queue-names.js';
import { accountJobId, finishJobId, runIdForJob } from './run-id.js';

export interface PlanDeps {
  prefix: string;
  redis: RedisClient;
  flows: FlowProducer;
  accounts: readonly string[];
  startRun: (runId: string, trigger: PlanJobData['trigger']) => Promise<void>;
  /** The regions of one account (ListRegions, filtered; cached) and those asked for that it lacks. Throws when discovery fails. */
  regionsOf: (account: string, counter?: ApiCallCounter) => Promise<{ targets: RegionTarget[]; unknown: UnknownRegion[] }>;
  /** ListRegions calls in flight at once while planning (the worker's calls in flight); default all accounts at once. */
  discoveryConcurrency?: number;
  /** Records the regions this run leaves out (and why) as region_syncs rows. */
  recordLeftOut: (runId: string, regions: LeftOutRegion[]) => Promise<void>;
  /** Whether an earlier run holding a region still has a live job for it (see overlap.ts). */
  holderLiveness?: HolderLiveness;
  classify: (error: unknown) => ClassifiedError;
  logger: Logger;
  metrics?: Metrics;
  /** How long a run holds its regions against overlapping runs at most. Default 6 h. */
  claimTtlMs?: number;
  regionJobOptions?: JobsOptions;
}

export interface PlanResult {
  runId: string;
  regions: number;
  /** Regions left out because an earlier, unfinished run still has them. */
  heldByOtherRun: number;
  discoveryFailures: string[];
  unknownRegions: string[];
}

export function createPlanProcessor(deps: PlanDeps): Processor<PlanJobData, PlanResult> {
  return async (job) => {
    const data = requireJobData('plan', job);
    const runId = data.runId ?? runIdForJob(deps.prefix, job.id ?? job.name);
    const log = deps.logger.child({ runId, jobId: job.id, trigger: data.trigger });
    await deps.startRun(runId, data.trigger);

    const counters: ApiCallCounter[] = deps.accounts.map(() => ({ apiCalls: 0 }));
    // Bounded like the listings: one ListRegions per uncached account all at once would be a burst
    // as wide as the fleet.
    const settled = await settleBounded(deps.accounts, deps.discoveryConcurrency ?? Math.max(1, deps.accounts.length),
      (account, i) => deps.regionsOf(account, counters[i]));
    const targets: RegionTarget[] = [];
    const unknown: UnknownRegion[] = [];
    const failures: Array<{ account: string; error: ClassifiedError }> = [];
    settled.forEach((outcome, i) => {
      const account = deps.accounts[i] as string;
      const calls = (counters[i] as ApiCallCounter).apiCalls;
      if (outcome.status === 'fulfilled') {
        targets.push(...outcome.value.targets);
        unknown.push(...outcome.value.unknown);
        recordCallMetrics(deps.metrics, 'ListRegions', calls, null);
      } else {
        const error = deps.classify(outcome.reason);
        failures.push({ account, error });
        recordCallMetrics(deps.metrics, 'ListRegions', calls, error.code);
      }
    });

    // A passing failure of ListRegions: retry the plan (cheap: the accounts that answered are cached).
    const retryable = failures.some((f) => f.error.kind !== 'permanent');
    if (retryable && job.attemptsMade + 1 < (job.opts.attempts ?? 1)) {
      const f = failures.find((x) => x.error.kind !== 'permanent');
      throw new Error(`region discovery failed for account ${f?.account}: ${f?.error.code}: ${f?.error.message}`);
    }
    for (const f of failures) log.error({ account: f.account, code: f.error.code, err: f.error.message }, 'region discovery failed');

    const { claimed, heldByOtherRun } = await claimRegions(deps.redis, deps.prefix, runId, targets, deps.claimTtlMs ?? 6 * 3600_000, deps.holderLiveness);
    if (heldByOtherRun.length > 0) {
      log.warn({ regions: heldByOtherRun.length }, 'regions still being synced by an earlier run: left out of this run');
    }
    // Coverage is part of the run's outcome: every region left out is named on the run, with why.
    await deps.recordLeftOut(runId, [
      ...failures.map((f) => ({ account: f.account, regionId: '*', status: 'failed' as const, code: f.error.code,
        message: `region discovery (ListRegions) failed: ${f.error.message}` })),
      ...unknown.map((u) => ({ account: u.account, regionId: u.regionId, status: 'failed' as const, code: 'UnknownRegion',
        message: `asked for by ${u.askedBy}, but ListRegions does not return it: fix the region name` })),
      ...heldByOtherRun.map((h) => ({ account: h.account, regionId: h.regionId, status: 'skipped' as const, code: 'HeldByEarlierRun',
        message: `left out: run ${h.heldBy} is still syncing this region (its job is ${h.holderState}); the next run after it finishes covers it` })),
    ]);
    const byAccount = new Map<string, AccountJobData>();
    for (const t of claimed) {
      const job = byAccount.get(t.account) ?? { runId, account: t.account, regions: [] };
      job.regions.push({ regionId: t.regionId, endpoint: t.endpoint });
      byAccount.set(t.account, job);
    }
    const problems = [
      ...(failures.length > 0 ? [`region discovery failed for ${failures.map((f) => `${f.account} (${f.error.code})`).join(', ')}`] : []),
      ...(unknown.length > 0 ? [describeUnknownRegions(unknown)] : []),
    ];
    const finishData: FinishJobData = {
      runId,
      regions: claimed.map((t) => ({ account: t.account, regionId: t.regionId })),
      ...(problems.length > 0 ? { error: problems.join('; ') } : {}),
    };
    await deps.flows.add({
      name: JOB_NAMES.finish,
      queueName: RUNS_QUEUE,
      data: finishData,
      opts: { ...FINISH_JOB_OPTIONS, jobId: finishJobId(runId) },
      children: [...byAccount.values()].map((data) => ({
        name: JOB_NAMES.account,
        queueName: REGIONS_QUEUE,
        data,
        opts: { ...REGION_JOB_OPTIONS, ...deps.regionJobOptions, jobId: accountJobId(runId, data.account) },
      })),
    });
    log.info({ regions: claimed.length, accounts: deps.accounts.length, heldByOtherRun: heldByOtherRun.length }, 'run planned');
    return { runId, regions: claimed.length, heldByOtherRun: heldByOtherRun.length, discoveryFailures: failures.map((f) => f.account),
      unknownRegions: unknown.map((u) => u.regionId) };
  };
}
