/**
 * The bookkeeping of a run: `sync_runs` (one row a run) and failed `region_syncs` rows. Successful
 * and incomplete regions write their own row inside their transaction (apply-listing.ts); a
 * failed region writes only this row, so a failure can never leave half a region behind.
 *
 * Coverage is part of the outcome: a region the run meant to sync but left out (held by an earlier
 * run, not reached, its account's discovery failed, a name ListRegions does not know) gets a
 * region_syncs row saying so (status `skipped` or `failed`, with a code), and the run cannot be
 * `succeeded` while any such row exists.
 */
import type { Db } from '../db/database.js';
import { insertRegionSyncsIfAbsent, regionSyncsOfRun, regionsRecorded, upsertRegionFailure } from '../db/region-syncs.js';
import { regionStates } from '../db/schema.js';
import { failRunsStartedBefore, finishRunRow, insertRun, runningRunsStartedBy } from '../db/sync-runs.js';
import { emptyCounts } from './diff-region.js';
import { EVENT_KINDS, type EventKind } from '../domain/vocabulary.js';

/** `demo` marks the demo's runs (see src/cli/demo-guard.ts). */
export type RunTrigger = 'cli' | 'schedule' | 'manual' | 'demo';
export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed';

export async function startRun(db: Db, run: { id: string; trigger: RunTrigger; startedAt?: Date }): Promise<void> {
  await insertRun(db, { id: run.id, trigger: run.trigger, startedAt: run.startedAt ?? new Date() });
}

/** A run still `running` after this long was abandoned (its process died, or Postgres was down as it finished). Default 6 hours. */
export const ABANDONED_RUN_MS = 6 * 60 * 60 * 1000;

/**
 * Closes runs that can no longer finish, so `runs` and reports do not show them running for ever.
 * Their regions' own rows stay as they were written; the run becomes `failed` with the reason.
 */
export async function closeAbandonedRuns(db: Db, now: Date = new Date(), olderThanMs = ABANDONED_RUN_MS): Promise<number> {
  return failRunsStartedBefore(db, new Date(now.getTime() - olderThanMs), now,
    `abandoned: still running after ${Math.round(olderThanMs / 60_000)} minutes (its process stopped, or its outcome could not be recorded)`);
}

export interface RegionFailure {
  runId: string;
  account: string;
  regionId: string;
  code: string;
  message: string;
  startedAt: Date;
  attempts?: number;
  pages?: number;
  apiCalls?: number;
}

export async function recordRegionFailure(db: Db, failure: RegionFailure): Promise<void> {
  const now = new Date();
  const row = {
    syncRunId: failure.runId,
    account: failure.account,
    regionId: failure.regionId,
    status: 'failed',
    attempts: failure.attempts ?? 1,
    pages: failure.pages ?? 0,
    apiCalls: failure.apiCalls ?? 0,
    errorCode: failure.code,
    errorMessage: failure.message.slice(0, 2000),
    startedAt: failure.startedAt,
    finishedAt: now,
  };
  await db.transaction(async (tx) => {
    await upsertRegionFailure(tx, row);
    await tx
      .insert(regionStates)
      .values({ account: failure.account, regionId: failure.regionId, lastSyncRunId: failure.runId, lastStatus: 'failed', updatedAt: now })
      .onConflictDoUpdate({
        target: [regionStates.account, regionStates.regionId],
        set: { lastSyncRunId: failure.runId, lastStatus: 'failed', updatedAt: now },
      });
  });
}

/** A region the run did not sync, and why. `regionId` is `*` for an account whose discovery failed. */
export interface LeftOutRegion {
  account: string;
  regionId: string;
  /** `skipped`: not attempted (held by an earlier run, not reached); `failed`: could not be attempted. */
  status: 'skipped' | 'failed';
  code: string;
  message: string;
}

/**
 * Records left-out regions on the run without touching region_states (nothing was learned about
 * those regions). A row already written for the region (a re-run plan job, a region that did
 * finish) is kept as it is.
 */
export async function recordLeftOut(db: Db, runId: string, regions: readonly LeftOutRegion[], now: Date = new Date()): Promise<void> {
  if (regions.length === 0) return;
  await insertRegionSyncsIfAbsent(db, regions.map((r) => ({
    syncRunId: runId, account: r.account, regionId: r.regionId, status: r.status, attempts: 0,
    errorCode: r.code, errorMessage: r.message.slice(0, 2000), startedAt: now, finishedAt: now,
  })));
}

export interface RunSummary {
  runId: string;
  status: Exclude<RunStatus, 'running'>;
  regionsTotal: number;
  regionsSucceeded: number;
  regionsIncomplete: number;
  /** Failed regions plus those left out (`regionsLeftOut`): the ones that did not sync. */
  regionsFailed: number;
  /** Regions the run did not attempt (held by an earlier run, not reached, interrupted). */
  regionsLeftOut: number;
  imagesSeen: number;
  eventCounts: Record<EventKind, number>;
  /** Why the run is not `succeeded`: set whenever it is not. */
  error: string | null;
  /** The regions that did not sync fully (failed, incomplete, skipped), counted by status and error code. */
  notSynced: Array<{ status: 'failed' | 'incomplete' | 'skipped'; code: string | null; regions: number }>;
}

export interface FinishRunOptions {
  /** The regions the run set out to sync; any without a row is recorded as left out (`NotReached`). */
  expected?: ReadonlyArray<{ account: string; regionId: string }>;
  /** A run-wide failure (interrupted, discovery failed, unknown regions): the run is `failed`. */
  error?: string;
}

/**
 * Aggregates the run's region_syncs into its sync_runs row. Regions in `expected` that never
 * reported are recorded as left out first, so a run cannot look successful because some of its
 * regions silently vanished; a run that synced no region at all is `failed`.
 */
export async function finishRun(db: Db, runId: string, opts: FinishRunOptions = {}): Promise<RunSummary> {
  const before = await regionsRecorded(db, runId);
  const reported = new Set(before.map((r) => `${r.account}\u0000${r.regionId}`));
  await recordLeftOut(db, runId, (opts.expected ?? [])
    .filter((r) => !reported.has(`${r.account}\u0000${r.regionId}`))
    .map((r) => ({ ...r, status: 'skipped' as const, code: 'NotReached', message: 'the run ended before this region reported (its job was lost or the run stopped)' })));

  const rows = await regionSyncsOfRun(db, runId);
  const counts = emptyCounts();
  let succeeded = 0, incomplete = 0, failed = 0, leftOut = 0, imagesSeen = 0;
  const notSynced: string[] = [];
  const reasons = new Map<string, RunSummary['notSynced'][number]>();
  for (const r of rows) {
    if (r.status !== 'succeeded') {
      const key = `${r.status}\u0000${r.errorCode ?? ''}`;
      const reason = reasons.get(key) ?? { status: r.status as 'failed' | 'incomplete' | 'skipped', code: r.errorCode, regions: 0 };
      reason.regions++;
      reasons.set(key, reason);
    }
    if (r.status === 'succeeded') succeeded++;
    else if (r.status === 'incomplete') incomplete++;
    else if (r.status === 'skipped') leftOut++;
    else failed++;
    if (r.status === 'skipped' || r.status === 'failed') notSynced.push(`${r.account}/${r.regionId} (${r.status}: ${r.errorCode ?? 'unknown'})`);
    imagesSeen += r.imagesSeen;
    counts.created += r.created;
    counts.updated += r.updated;
    counts.status_changed += r.statusChanged;
    counts.tags_changed += r.tagsChanged;
    counts.deleted += r.deleted;
    counts.restored += r.restored;
  }
  const synced = succeeded + incomplete;
  const status: RunSummary['status'] =
    opts.error !== undefined || synced === 0 ? 'failed'
      : failed > 0 || leftOut > 0 || incomplete > 0 ? 'partial'
        : 'succeeded';
  const error = describeRunProblems(opts.error, synced, incomplete, notSynced);
  await finishRunRow(db, runId, {
    status,
    finishedAt: new Date(),
    regionsTotal: rows.length,
    regionsSucceeded: succeeded,
    regionsIncomplete: incomplete,
    regionsFailed: failed + leftOut,
    imagesSeen,
    eventCounts: Object.fromEntries(EVENT_KINDS.map((k) => [k, counts[k]])),
    error,
  });
  return { runId, status, regionsTotal: rows.length, regionsSucceeded: succeeded, regionsIncomplete: incomplete,
    regionsFailed: failed + leftOut, regionsLeftOut: leftOut, imagesSeen, eventCounts: counts, error, notSynced: [...reasons.values()] };
}

/** The run's `error`: what made it not `succeeded`, naming the regions that did not sync. */
function describeRunProblems(error: string | undefined, synced: number, incomplete: number, notSynced: readonly string[]): string | null {
  const parts: string[] = [];
  if (error !== undefined) parts.push(error);
  if (notSynced.length > 0) {
    const shown = notSynced.slice(0, 20).join(', ');
    parts.push(`${notSynced.length} region(s) not synced: ${shown}${notSynced.length > 20 ? `, and ${notSynced.length - 20} more` : ''}`);
  }
  if (synced === 0 && error === undefined) parts.push('no region was synced');
  if (incomplete > 0 && parts.length === 0) parts.push(`${incomplete} region(s) incomplete (inconsistent listings; nothing was deleted for them)`);
  return parts.length > 0 ? parts.join('; ') : null;
}

/** Runs the worker started (`schedule`, `manual`; never the CLI's) still `running` that started at or before `at`. */
export async function runningWorkerRuns(db: Db, at: Date): Promise<string[]> {
  return runningRunsStartedBy(db, ['schedule', 'manual'], at);
}
