/**
 * Every statement on `swas.sync_runs` (one row a run: who started it, its status, and the totals
 * aggregated from its region_syncs rows when it finishes), in one module like pg-boss's plans.ts:
 * - a run row is written once when the run starts (a re-run of the same run id finds it there);
 * - only a `running` run is closed, as finished (its totals) or abandoned (too old to finish);
 * - retention (sync/prune-runs.ts) deletes a run only once none of its region rows is left and
 *   nothing points at it.
 * Named functions that run the statement or, for retention's batched deletes, return it. The
 * reports read the table through the swas_reader views.
 */
import { and, eq, inArray, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Db } from './database.js';
import { runHasRegionSyncs } from './region-syncs.js';
import { syncRuns } from './schema.js';

export type StoredSyncRun = typeof syncRuns.$inferSelect;

/** The run's row, `running`; a run id already there (a re-run of the same run) is left as it is. */
export async function insertRun(db: Db, run: { id: string; trigger: string; startedAt: Date }): Promise<void> {
  await db.insert(syncRuns).values({ ...run, status: 'running' }).onConflictDoNothing();
}

/** Closes as `failed` with `error` every run still `running` that started before `before`; how many. */
export async function failRunsStartedBefore(db: Db, before: Date, finishedAt: Date, error: string): Promise<number> {
  const closed = await db
    .update(syncRuns)
    .set({ status: 'failed', finishedAt, error })
    .where(and(eq(syncRuns.status, 'running'), lt(syncRuns.startedAt, before)))
    .returning({ id: syncRuns.id });
  return closed.length;
}

/** Writes a finished run's outcome and totals. */
export async function finishRunRow(db: Db, runId: string, outcome: Partial<Omit<typeof syncRuns.$inferInsert, 'id' | 'trigger'>>): Promise<void> {
  await db.update(syncRuns).set(outcome).where(eq(syncRuns.id, runId));
}

/** Ids of the runs with one of `triggers` still `running` that started at or before `at`. */
export async function runningRunsStartedBy(db: Db, triggers: readonly string[], at: Date): Promise<string[]> {
  const rows = await db.select({ id: syncRuns.id }).from(syncRuns)
    .where(and(eq(syncRuns.status, 'running'), inArray(syncRuns.trigger, [...triggers]), lte(syncRuns.startedAt, at)));
  return rows.map((r) => r.id);
}

/** The run's row, if it has started. */
export async function runById(db: Db, runId: string): Promise<StoredSyncRun | undefined> {
  const [row] = await db.select().from(syncRuns).where(eq(syncRuns.id, runId));
  return row;
}

/** How many runs have a trigger other than `trigger`, as a scalar subquery (the demo guard's check). */
export function runsNotTriggeredBy(trigger: string): SQL {
  return sql`(select count(*) from swas.sync_runs where trigger <> ${trigger})`;
}

// Retention (sync/prune-runs.ts decides which runs may go and in what batches). Run ids come in as
// an SQL uuid[] expression; `keepRun(id)` is the caller's reason to keep a run whatever its age.

/** Runs that are not `running` and started before `cutoff`, oldest first: `id`, `regions` (at least 1). */
export function pruneCandidates(cutoff: Date): SQL {
  return sql`
    select id::text as id, greatest(regions_total, 1)::int as regions from swas.sync_runs
    where status <> 'running' and started_at < ${cutoff.toISOString()}::timestamptz
    order by started_at, id`;
}

/** The runs among `runIds` that `keepRun` keeps: `id`. */
export function runsKept(runIds: SQL, keepRun: (runId: SQL) => SQL): SQL {
  return sql`select s.id::text as id from swas.sync_runs as s where s.id = any(${runIds}) and ${keepRun(sql`s.id`)}`;
}

/** Deletes at most `limit` of the runs `runIds` that have no region row left, no region_states row pointing at them, and that `keepRun` does not keep. */
export function deleteRunsOf(runIds: SQL, limit: number, keepRun: (runId: SQL) => SQL): SQL {
  return sql`
    delete from swas.sync_runs as d where d.id in (
      select s.id from swas.sync_runs as s
      where s.id = any(${runIds}) and s.status <> 'running'
        and not ${runHasRegionSyncs(sql`s.id`)}
        and not exists (select 1 from swas.region_states as st where st.last_sync_run_id = s.id)
        and not ${keepRun(sql`s.id`)}
      limit ${limit})`;
}

/** How many of the runs `runIds` deleteRunsOf would remove, given their region rows in the query named `rowsName` (`sync_run_id`, `kept`), as a scalar subquery. */
export function countRunsPrunable(runIds: SQL, rowsName: string): SQL {
  const rows = sql.identifier(rowsName);
  return sql`(select count(*) from swas.sync_runs as s
       where s.id = any(${runIds})
         and not exists (select 1 from ${rows} where ${rows}.sync_run_id = s.id and ${rows}.kept)
         and not exists (select 1 from swas.region_states as st where st.last_sync_run_id = s.id))`;
}
