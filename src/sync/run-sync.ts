/**
 * A whole run in-process (the CLI's `sync`, no Redis): plan -> sync every region with bounded
 * concurrency -> summarize. Each region succeeds or fails on its own; a failure is recorded with
 * its reason and never turns into deletions. Retries follow the same policy as the worker's queue
 * (retry-policy.ts), around whole regions: a listing never retries mid-way.
 */
import { randomUUID } from 'node:crypto';
import type { Account } from '../config/accounts.js';
import type { Config } from '../config/env.js';
import { classifyError } from './classify-error.js';
import type { SwasClients } from '../cloud/swas-client.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../ops/logger.js';
import type { RegionSyncResult } from './apply-listing.js';
import { emptyCounts } from './diff-region.js';
import { InterruptedError } from './errors.js';
import { planRegions, type PlannedRegion } from './plan-regions.js';
import { RegionAdmission, type CallBudget } from './region-admission.js';
import { RegionSlots } from './region-slots.js';
import { attemptRegion } from './region-attempts.js';
import { REGION_RETRY_POLICY, withJitter, type RegionRetryPolicy } from './retry-policy.js';
import { closeAbandonedRuns, finishRun, recordLeftOut, recordRegionFailure, startRun, type LeftOutRegion, type RunSummary, type RunTrigger } from './run-record.js';
import { describeUnknownRegions, type UnknownRegion } from '../config/select-regions.js';
import { syncRegion } from './sync-region.js';

/** The account-wide pause a Throttling answer starts (the same limiter paces every call). */
export interface AccountPause {
  pause(account: string, ms: number): Promise<void>;
  pausedForMs(account: string): Promise<number>;
}

export interface RunSyncDeps {
  db: Db;
  clients: SwasClients;
  config: Config;
  accounts: readonly Account[];
  log: Logger;
  /** Where throttles pause the account; default a pause known to this run only. */
  pauses?: AccountPause;
  /** The accounts' call budgets: a region takes its first call's token before its slot. Default none. */
  budget?: CallBudget;
  /** Who admits regions (tests watch it); default one over `concurrency` slots and `budget`. */
  admission?: RegionAdmission;
}

/**
 * Calls in flight at once by default. A call in flight is I/O (about 1-3 ms of CPU per region
 * around 100+ ms of waiting on the API), so the bound is what the fleet's budgets can use, not
 * the machine: 64 x 100 ms allows 640 calls/s, the budgets of 128 accounts at 5/s
 * (docs/WORKER.md, sizing).
 */
export const DEFAULT_SYNC_CONCURRENCY = 64;

export interface RunSyncOptions {
  /** Only these region ids (CLI `--region`); default every planned region. */
  regions?: readonly string[];
  trigger?: RunTrigger;
  /** Regions (calls) in flight at once, across accounts. Default DEFAULT_SYNC_CONCURRENCY. */
  concurrency?: number;
  /** Told the plan's size, then each region's result as it ends (the CLI's live progress line). */
  progress?: SyncProgressListener;
  /** Default REGION_RETRY_POLICY, the worker queue's. */
  retry?: RegionRetryPolicy;
  /**
   * Aborting stops the run: regions not started are left out, those in flight stop at their next
   * call; the run is `failed` when that left a region out, and what its regions are when every one
   * had already committed.
   */
  signal?: AbortSignal;
}

export interface SyncProgressListener {
  planned(regions: number): void;
  regionDone(result: RunRegionResult): void;
}

export type RunRegionResult = Omit<RegionSyncResult, 'status'> & {
  status: RegionSyncResult['status'] | 'skipped';
  attempts?: number;
  /** Throttling answers this region waited out (each a pause of the account, no attempt spent). */
  throttles?: number;
};

export interface RunSyncReport {
  runId: string;
  summary: RunSummary;
  regions: RunRegionResult[];
  /** Regions asked for that ListRegions does not return (a configuration error: exit 2). */
  unknownRegions: UnknownRegion[];
  /** Every region ListRegions returned to the accounts, for "did you mean" (empty when discovery failed). */
  availableRegions: string[];
  /** The signal stopped at least one region (one that had committed before it is not interrupted). */
  interrupted: boolean;
}

export async function runSync(deps: RunSyncDeps, options: RunSyncOptions = {}): Promise<RunSyncReport> {
  const runId = randomUUID();
  await closeAbandonedRuns(deps.db);
  await startRun(deps.db, { id: runId, trigger: options.trigger ?? 'cli' });
  const log = deps.log.child({ runId });
  const pauses = deps.pauses ?? localPauses();
  const policy = options.retry ?? REGION_RETRY_POLICY;

  const plan = await planRegions(deps.clients, deps.accounts, deps.config, options.regions ?? [], options.concurrency ?? DEFAULT_SYNC_CONCURRENCY);
  const leftOut: LeftOutRegion[] = [];
  for (const { account, error } of plan.failures) {
    const c = classifyError(error);
    log.error({ account: account.name, code: c.code, err: c.message }, 'region discovery failed');
    leftOut.push({ account: account.name, regionId: '*', status: 'failed', code: c.code, message: `region discovery (ListRegions) failed: ${c.message}` });
  }
  const unknownError = plan.unknown.length > 0 ? describeUnknownRegions(plan.unknown, plan.availableIds) : undefined;
  for (const u of plan.unknown) {
    leftOut.push({ account: u.account, regionId: u.regionId, status: 'failed', code: 'UnknownRegion',
      message: `asked for by ${u.askedBy}, but ListRegions does not return it: fix the region name` });
  }
  // The command says it in one line (describeUnknownRegionsBriefly); the log only records it.
  if (unknownError !== undefined) log.debug({ unknown: plan.unknown.map((u) => u.regionId) }, unknownError);
  await recordLeftOut(deps.db, runId, leftOut);
  const results: RunRegionResult[] = leftOut.map((l) => failed(l.account, l.regionId, l.code, l.message, l.status));
  options.progress?.planned(plan.regions.length + results.length);
  for (const r of results) options.progress?.regionDone(r);

  // Every account asks at once; admission makes each account's regions take its budget in turn
  // and hands the slots out across accounts, so every account with budget left is in progress.
  // An account starts its next region once the one before it was admitted (or ended): admission
  // would queue it behind that one anyway, and a fleet's regions started all at once each held
  // their waiting work in memory (130,000 at 5,000 accounts) where one per account does.
  const admission = deps.admission ?? new RegionAdmission(new RegionSlots(options.concurrency ?? DEFAULT_SYNC_CONCURRENCY), deps.budget ?? null);
  const regionResults: RunRegionResult[] = new Array<RunRegionResult>(plan.regions.length);
  await Promise.all([...regionsByAccount(plan.regions).values()].map(async (lane) => {
    const running: Array<Promise<void>> = [];
    for (const index of lane) {
      const region = plan.regions[index] as PlannedRegion;
      let admitted!: () => void;
      const turn = new Promise<void>((resolve) => { admitted = resolve; });
      const task = syncOne(deps, log, runId, region, policy, pauses, admission, options.signal, admitted).then((result) => {
        regionResults[index] = result;
        options.progress?.regionDone(result);
      });
      running.push(task);
      await Promise.race([turn, task]);
    }
    await Promise.all(running);
  }));
  // One by one, not push(...regionResults): spreading a fleet's regions as arguments overflows the
  // call stack (RangeError at 5,000 accounts x 26 regions, after every region had been synced).
  for (const r of regionResults) results.push(r);

  // A signal that came after every region committed interrupted nothing: the run is what its
  // regions are (issue 22 #17), not `failed` for "stopping before every region finished".
  const interrupted = results.some((r) => r.error?.code === 'Interrupted');
  const problems = [
    ...(interrupted ? [`interrupted (${String(options.signal?.reason ?? 'aborted')}): the run stopped before every region finished`] : []),
    ...(plan.failures.length > 0 ? [`region discovery failed for ${plan.failures.map((f) => `${f.account.name} (${classifyError(f.error).code})`).join(', ')}`] : []),
    ...(unknownError !== undefined ? [unknownError] : []),
  ];
  const summary = await finishRun(deps.db, runId, {
    expected: plan.regions.map((r) => ({ account: r.account.name, regionId: r.regionId })),
    ...(problems.length > 0 ? { error: problems.join('; ') } : {}),
  });
  log.info({ status: summary.status, regions: summary.regionsTotal }, 'sync run finished');
  return { runId, summary, regions: results, unknownRegions: plan.unknown, availableRegions: [...plan.availableIds], interrupted };
}

/** The plan's region indexes by account, in plan order. */
function regionsByAccount(regions: readonly PlannedRegion[]): Map<string, number[]> {
  const lanes = new Map<string, number[]>();
  regions.forEach((region, index) => {
    const lane = lanes.get(region.account.name);
    if (lane === undefined) lanes.set(region.account.name, [index]);
    else lane.push(index);
  });
  return lanes;
}

/** `admitted` is called once the region's first attempt is admitted (or gave up waiting). */
async function syncOne(
  deps: RunSyncDeps, log: Logger, runId: string, region: PlannedRegion,
  policy: RegionRetryPolicy, pauses: AccountPause, admission: RegionAdmission, signal: AbortSignal | undefined,
  admitted: () => void = () => {},
): Promise<RunRegionResult> {
  const startedAt = new Date();
  const where = { account: region.account.name, regionId: region.regionId };
  const counter = { apiCalls: 0 };
  const end = await attemptRegion<RegionSyncResult>(policy, 0, {
    attempt: async (attempt) => {
      // Another region of the account was throttled: wait out the pause before starting over.
      await sleep(await pauses.pausedForMs(region.account.name), signal);
      if (signal?.aborted === true) throw new InterruptedError(String(signal.reason ?? 'aborted'));
      // Each attempt is admitted anew: backoffs and throttle waits hold no slot.
      const release = await admission.admit(region.account.name, region.account.name, signal);
      admitted();
      if (release === null) throw new InterruptedError(String(signal?.reason ?? 'aborted'));
      let result: RegionSyncResult;
      let permit: (() => void) | null = null;
      try {
        // A region that may be unchanged hands its slot back when its listing ended (writeRegion's
        // `listed`) and records holding a write permit instead.
        const listed = async (): Promise<void> => { permit = await admission.listed(release); };
        result = await admission.paid(region.account.name, () => syncRegion(deps, { runId, region, counter, attempts: attempt, listed }));
      } finally {
        release();
        (permit as (() => void) | null)?.();
      }
      log.info({ ...where, status: result.status, images: result.images, counts: result.counts, attempt }, 'region synced');
      if (result.note !== undefined) log.warn({ ...where, note: result.note }, 'listed images belong to another region');
      return result;
    },
    classify: (error) => classifyError(signal?.aborted === true && !(error instanceof InterruptedError) ? new InterruptedError(String(signal.reason ?? 'aborted')) : error),
    // The account pauses for this run and the region is tried again in place, spending no attempt.
    throttled: async (c, ms, throttles) => {
      // Info, not a warning: a throttle waited out is the budget working (the summary counts them);
      // one that never recovers ends as a failure, which is logged as an error.
      log.info({ ...where, code: c.code, retryAfterMs: ms, throttles }, 'throttled: account paused, region retried without spending an attempt');
      await pauses.pause(region.account.name, ms);
      await sleep(withJitter(ms, policy.throttleJitter), signal);
      return true;
    },
    retrying: async (c, attempt, wait) => {
      log.warn({ ...where, code: c.code, attempt, waitMs: wait, err: c.message }, 'region attempt failed; retrying the whole region');
      await sleep(wait, signal);
      return true;
    },
  });
  const { attempt, throttles } = end;
  if (end.kind === 'done') return { ...end.value, apiCalls: counter.apiCalls, attempts: attempt, throttles };
  // The strategy never stops: a signal ends the attempts as an Interrupted failure.
  const c = end.kind === 'failed' ? end.error : classifyError(new InterruptedError(String(signal?.reason ?? 'aborted')));
  const status = c.code === 'Interrupted' ? 'skipped' : 'failed';
  // An interrupted region did not fail: the person who pressed Ctrl-C was told once, and the
  // summary counts it (issue 22 #5); an error line per region, marked permanent, said otherwise.
  if (status === 'skipped') log.debug({ ...where, attempt }, 'region interrupted');
  else log.error({ ...where, code: c.code, kind: c.kind, attempt, err: c.message }, 'region failed');
  // If even the failure cannot be recorded (database down), the other regions still finish
  // and report: one unrecorded failure must not abandon them mid-flight.
  const record = status === 'skipped'
    ? recordLeftOut(deps.db, runId, [{ ...where, status, code: c.code, message: c.message }])
    : recordRegionFailure(deps.db, { runId, ...where, code: c.code, message: c.message, startedAt, attempts: attempt, apiCalls: counter.apiCalls });
  await record.catch((recordError: unknown) => log.error({ ...where, err: classifyError(recordError).message }, 'could not record the region failure'));
  return { ...failed(region.account.name, region.regionId, c.code, c.message, status), apiCalls: counter.apiCalls, attempts: attempt, throttles };
}

function failed(account: string, regionId: string, code: string, message: string, status: 'failed' | 'skipped' = 'failed'): RunRegionResult {
  return { account, regionId, status, pages: 0, apiCalls: 0, images: 0, counts: emptyCounts(), error: { code, message } };
}

/** Waits `ms`, or less when the run is aborted (the caller then sees `signal.aborted`). */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted === true) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve(); };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Pauses known to this run only, for callers that pass no limiter. */
function localPauses(): AccountPause {
  const until = new Map<string, number>();
  return {
    pause: async (account, ms) => { until.set(account, Math.max(until.get(account) ?? 0, Date.now() + ms)); },
    pausedForMs: async (account) => Math.max(0, (until.get(account) ?? 0) - Date.now()),
  };
}
