/**
 * The bookkeeping of a run: `sync_runs` (one row a run) and failed `region_syncs` rows. Successful
 * and incomplete regions write their own row inside their transaction (apply-listing.ts); a
 * failed region writes only this row, so a failure can never leave half a region behind.
 */
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { regionStates, regionSyncs, syncRuns } from '../db/schema.js';
import { emptyCounts } from './diff-region.js';
import { EVENT_KINDS, type EventKind } from './types.js';

export type RunTrigger = 'cli' | 'schedule' | 'manual';
export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed';

export async function startRun(db: Db, run: { id: string; trigger: RunTrigger; startedAt?: Date }): Promise<void> {
  await db
    .insert(syncRuns)
    .values({ id: run.id, trigger: run.trigger, status: 'running', startedAt: run.startedAt ?? new Date() })
    .onConflictDoNothing();
}

/** A run still `running` after this long was abandoned (its process died, or Postgres was down as it finished). Default 6 hours. */
export const ABANDONED_RUN_MS = 6 * 60 * 60 * 1000;

/**
 * Closes runs that can no longer finish, so `runs` and reports do not show them running for ever.
 * Their regions' own rows stay as they were written; the run becomes `failed` with the reason.
 */
export async function closeAbandonedRuns(db: Db, now: Date = new Date(), olderThanMs = ABANDONED_RUN_MS): Promise<number> {
  const closed = await db
    .update(syncRuns)
    .set({ status: 'failed', finishedAt: now, error: `abandoned: still running after ${Math.round(olderThanMs / 60_000)} minutes (its process stopped, or its outcome could not be recorded)` })
    .where(and(eq(syncRuns.status, 'running'), lt(syncRuns.startedAt, new Date(now.getTime() - olderThanMs))))
    .returning({ id: syncRuns.id });
  return closed.length;
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
    await tx
      .insert(regionSyncs)
      .values(row)
      .onConflictDoUpdate({
        target: [regionSyncs.syncRunId, regionSyncs.account, regionSyncs.regionId],
        // A region that already committed in this run keeps its success: a late duplicate failure
        // (e.g. a redelivered job) must not overwrite what was written.
        set: { status: sql`case when ${regionSyncs.status} = 'failed' then 'failed' else ${regionSyncs.status} end`,
          attempts: row.attempts, errorCode: sql`case when ${regionSyncs.status} = 'failed' then ${row.errorCode} else ${regionSyncs.errorCode} end`,
          errorMessage: sql`case when ${regionSyncs.status} = 'failed' then ${row.errorMessage} else ${regionSyncs.errorMessage} end`,
          finishedAt: now },
      });
    await tx
      .insert(regionStates)
      .values({ account: failure.account, regionId: failure.regionId, lastSyncRunId: failure.runId, lastStatus: 'failed', updatedAt: now })
      .onConflictDoUpdate({
        target: [regionStates.account, regionStates.regionId],
        set: { lastSyncRunId: failure.runId, lastStatus: 'failed', updatedAt: now },
      });
  });
}

export interface RunSummary {
  runId: string;
  status: Exclude<RunStatus, 'running'>;
  regionsTotal: number;
  regionsSucceeded: number;
  regionsIncomplete: number;
  regionsFailed: number;
  imagesSeen: number;
  eventCounts: Record<EventKind, number>;
}

/**
 * Aggregates the run's region_syncs into its sync_runs row. `expectedRegions` (when the planner
 * knows it) counts regions that never reported as failed, so a run cannot look successful because
 * some of its regions silently vanished.
 */
export async function finishRun(db: Db, runId: string, opts: { expectedRegions?: number; error?: string } = {}): Promise<RunSummary> {
  const rows = await db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, runId));
  const counts = emptyCounts();
  let succeeded = 0, incomplete = 0, failed = 0, imagesSeen = 0;
  for (const r of rows) {
    if (r.status === 'succeeded') succeeded++;
    else if (r.status === 'incomplete') incomplete++;
    else failed++;
    imagesSeen += r.imagesSeen;
    counts.created += r.created;
    counts.updated += r.updated;
    counts.status_changed += r.statusChanged;
    counts.tags_changed += r.tagsChanged;
    counts.deleted += r.deleted;
    counts.restored += r.restored;
  }
  const missing = Math.max(0, (opts.expectedRegions ?? rows.length) - rows.length);
  failed += missing;
  const total = succeeded + incomplete + failed;
  const status: RunSummary['status'] =
    opts.error !== undefined || (total > 0 && succeeded === 0 && incomplete === 0) ? 'failed'
      : failed > 0 || incomplete > 0 ? 'partial'
        : 'succeeded';
  await db
    .update(syncRuns)
    .set({
      status,
      finishedAt: new Date(),
      regionsTotal: total,
      regionsSucceeded: succeeded,
      regionsIncomplete: incomplete,
      regionsFailed: failed,
      imagesSeen,
      eventCounts: Object.fromEntries(EVENT_KINDS.map((k) => [k, counts[k]])),
      error: opts.error ?? (missing > 0 ? `${missing} region(s) never reported` : null),
    })
    .where(eq(syncRuns.id, runId));
  return { runId, status, regionsTotal: total, regionsSucceeded: succeeded, regionsIncomplete: incomplete, regionsFailed: failed, imagesSeen, eventCounts: counts };
}
