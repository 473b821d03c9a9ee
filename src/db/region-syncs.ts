/**
 * Every statement on `swas.region_syncs` (one row per run, account and region: what the run did
 * there), in one module like pg-boss's plans.ts, so the rules of the table are read in one place:
 * - a region's success or incomplete listing is written in its own transaction, and a second
 *   commit of the same region in one run (a stalled job re-run) adds its counts up;
 * - a failure never overwrites a region that already committed in the run;
 * - a left-out or superseded region never overwrites a row the run already has.
 * Retention (sync/prune-runs.ts) deletes old rows with the rest of a run's bookkeeping through the
 * statements at the end of this module, and the reports read the table through the swas_reader views.
 */
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Db } from './database.js';
import { regionSyncs } from './schema.js';

export type RegionSyncRow = typeof regionSyncs.$inferInsert;
export type StoredRegionSync = typeof regionSyncs.$inferSelect;

const REGION_OF_RUN = [regionSyncs.syncRunId, regionSyncs.account, regionSyncs.regionId];

/** A region's listing committed (succeeded or incomplete): in the region's transaction, counts added to a row already there. */
export async function upsertRegionSync(tx: Db, row: RegionSyncRow): Promise<void> {
  const { syncRunId: _r, account: _a, regionId: _g, ...update } = row;
  // The same region can commit twice in one run (a stalled job re-run after its first copy
  // committed): the second finds nothing left to change, so counts and calls ADD UP instead of
  // the second copy's zeros replacing what the first recorded.
  const add = (column: AnyPgColumn) => sql`${column} + excluded.${sql.identifier(column.name)}`;
  await tx
    .insert(regionSyncs)
    .values(row)
    .onConflictDoUpdate({
      target: REGION_OF_RUN,
      set: {
        ...update,
        attempts: sql`greatest(${regionSyncs.attempts}, excluded.attempts)`,
        startedAt: sql`least(${regionSyncs.startedAt}, excluded.started_at)`,
        pages: add(regionSyncs.pages),
        apiCalls: add(regionSyncs.apiCalls),
        created: add(regionSyncs.created),
        updated: add(regionSyncs.updated),
        statusChanged: add(regionSyncs.statusChanged),
        tagsChanged: add(regionSyncs.tagsChanged),
        deleted: add(regionSyncs.deleted),
        restored: add(regionSyncs.restored),
      },
    });
}

/** A region failed after its last attempt. A region that already committed in this run keeps its success. */
export async function upsertRegionFailure(tx: Db, row: RegionSyncRow & { errorCode: string; errorMessage: string; finishedAt: Date }): Promise<void> {
  await tx
    .insert(regionSyncs)
    .values(row)
    .onConflictDoUpdate({
      target: REGION_OF_RUN,
      // A late duplicate failure (e.g. a redelivered job) must not overwrite what was written.
      set: { status: sql`case when ${regionSyncs.status} = 'failed' then 'failed' else ${regionSyncs.status} end`,
        attempts: row.attempts, errorCode: sql`case when ${regionSyncs.status} = 'failed' then ${row.errorCode} else ${regionSyncs.errorCode} end`,
        errorMessage: sql`case when ${regionSyncs.status} = 'failed' then ${row.errorMessage} else ${regionSyncs.errorMessage} end`,
        finishedAt: row.finishedAt },
    });
}

/** Rows for regions that did not sync (left out, superseded): a row the run already has for the region stays as it is. */
export async function insertRegionSyncsIfAbsent(db: Db, rows: readonly RegionSyncRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(regionSyncs).values([...rows]).onConflictDoNothing({ target: REGION_OF_RUN });
}

/** Every row of a run, for its summary. */
export async function regionSyncsOfRun(db: Db, runId: string): Promise<StoredRegionSync[]> {
  return db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, runId));
}

/** The (account, region) pairs a run has recorded so far. */
export async function regionsRecorded(db: Db, runId: string, account?: string): Promise<Array<{ account: string; regionId: string }>> {
  return db.select({ account: regionSyncs.account, regionId: regionSyncs.regionId }).from(regionSyncs).where(and(
    eq(regionSyncs.syncRunId, runId),
    ...(account !== undefined ? [eq(regionSyncs.account, account)] : []),
  ));
}

/** The regions of a run that did not sync (failed, or left out as `skipped`), with their reasons. */
export async function regionsNotSynced(db: Db, runId: string) {
  return db.select({ account: regionSyncs.account, regionId: regionSyncs.regionId, status: regionSyncs.status,
    code: regionSyncs.errorCode, message: regionSyncs.errorMessage })
    .from(regionSyncs)
    .where(and(eq(regionSyncs.syncRunId, runId), inArray(regionSyncs.status, ['failed', 'skipped'])))
    .orderBy(regionSyncs.account, regionSyncs.regionId);
}

/** The accounts other than `account` that have a row, as a select of `account` (the demo guard's union). */
export function regionSyncAccountsOtherThan(account: string): SQL {
  return sql`select account from swas.region_syncs where account <> ${account}`;
}

// Retention (sync/prune-runs.ts decides which runs may go and in what batches; the statements on
// this table are here). Run ids come in as an SQL uuid[] expression.

/** A region row (alias `r`) another reader still needs: region_states points at it, or it is its region's newest. */
const KEPT = sql`(
  exists (select 1 from swas.region_states as st
          where st.account = r.account and st.region_id = r.region_id and st.last_sync_run_id = r.sync_run_id)
  or not exists (select 1 from swas.region_syncs as n
                 where n.account = r.account and n.region_id = r.region_id and n.started_at >= r.started_at
                   and (n.started_at > r.started_at or n.id > r.id)))`;

/** Run `runId` recorded a change in some region (any count non-zero: it wrote events and versions). */
export function runChangedSomeRegion(runId: SQL): SQL {
  return sql`exists (select 1 from swas.region_syncs as h where h.sync_run_id = ${runId}
    and (h.created + h.updated + h.status_changed + h.tags_changed + h.deleted + h.restored) > 0)`;
}

/** Run `runId` has a region row left. */
export function runHasRegionSyncs(runId: SQL): SQL {
  return sql`exists (select 1 from swas.region_syncs as r where r.sync_run_id = ${runId})`;
}

/**
 * Deletes at most `limit` region rows of the runs `runIds` that are not `running`, not kept (see
 * KEPT) and whose run `keepRun(s.id)` does not keep; re-checked in the statement, so a row that
 * became needed since the runs were read stays.
 */
export function deleteRegionSyncsOfRuns(runIds: SQL, limit: number, keepRun: (runId: SQL) => SQL): SQL {
  return sql`
    delete from swas.region_syncs as d where d.id in (
      select r.id from swas.region_syncs as r
      join swas.sync_runs as s on s.id = r.sync_run_id
      where r.sync_run_id = any(${runIds}) and s.status <> 'running' and not ${KEPT}
        and not ${keepRun(sql`s.id`)}
      limit ${limit})`;
}

/** The region rows of the runs `runIds`, each with whether it is kept (see KEPT): `sync_run_id`, `kept`. */
export function regionSyncsKeptOfRuns(runIds: SQL): SQL {
  return sql`select r.sync_run_id, ${KEPT} as kept from swas.region_syncs as r where r.sync_run_id = any(${runIds})`;
}
