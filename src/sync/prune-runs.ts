/**
 * Retention of the run bookkeeping (`sync_runs`, `region_syncs`): an unchanged run writes no
 * inventory row but one run row and one row per region, so without pruning those two tables grow
 * with time, not with change (docs/BENCHMARKS.md, "Issue 14: run bookkeeping").
 *
 * What goes: runs that started before the cutoff, are not `running`, and recorded no change, with
 * their region rows. What stays, whatever its age (docs/WORKER.md, "Retention"):
 * - runs that any image_events or custom_image_versions row names (sync_run_id), with all their
 *   region rows, so the run behind every history entry can still be looked up (`history` prints
 *   the run id). They grow with the history, which is kept for ever anyway. The region counts are
 *   not enough to tell: a version can come without an event (a field first seen, filled in for an
 *   image that did not change), so the tables themselves are asked (indexed by sync_run_id,
 *   migration 0010); a region row with a non-zero count keeps its run too.
 * - `running` runs (a run in progress, or one closeAbandonedRuns has not closed yet);
 * - per (account, region), the newest region_syncs row and the row region_states points at
 *   (`status` joins region_freshness.last_sync_run_id to region_runs for the last attempt's
 *   error), and the run rows those rows belong to (the foreign key needs them anyway).
 *
 * The work is split so no statement holds locks or writes WAL for long: the candidate runs are
 * read once (sync_runs is small: one row a run), then cut into windows of about `batchSize`
 * region rows; each window's region rows go in DELETEs of at most `batchSize` rows, then its run
 * rows, each statement its own transaction. Every DELETE re-checks what protects a row, so a run or
 * region that changed since the window was read is left alone.
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../db/database.js';
import { deleteRegionSyncsOfRuns, regionSyncsKeptOfRuns, runChangedSomeRegion } from '../db/region-syncs.js';
import { countRunsPrunable, deleteRunsOf, pruneCandidates, runsKept } from '../db/sync-runs.js';

export const DEFAULT_PRUNE_BATCH_SIZE = 2_000;
const DAY_MS = 86_400_000;

export interface PruneOptions {
  /** Runs that started more than this many days ago may go; must be at least 1. */
  olderThanDays: number;
  /** Rows per DELETE (and about the region rows read per window). Default 2000. */
  batchSize?: number;
  /** Count what would go, delete nothing. */
  dryRun?: boolean;
  /** "Now" for the cutoff; default the current time. */
  now?: Date;
}

export interface PruneResult {
  cutoff: Date;
  dryRun: boolean;
  /** Rows removed (or, in a dry run, that would be). */
  syncRuns: number;
  regionSyncs: number;
  /** DELETE statements that removed rows (in a dry run: that would be needed). */
  batches: number;
  /** Old runs kept because the image history (an event or a version) names them. */
  keptHistoryRuns: number;
}

/** The runs-and-regions retention in days from the setting; null when it keeps everything (0). */
export function retentionCutoff(days: number, now: Date = new Date()): Date | null {
  return days <= 0 ? null : new Date(now.getTime() - days * DAY_MS);
}

/** The image history names run `runId` (an event or a version of it): the run stays. */
const namedByHistory = (runId: SQL) => sql`(
  exists (select 1 from swas.image_events as e where e.sync_run_id = ${runId})
  or exists (select 1 from swas.custom_image_versions as v where v.sync_run_id = ${runId}))`;

const idArray = (ids: readonly string[]) => sql`string_to_array(${ids.join(',')}, ',')::uuid[]`;

export async function pruneRuns(db: Db, options: PruneOptions): Promise<PruneResult> {
  if (!Number.isInteger(options.olderThanDays) || options.olderThanDays < 1) {
    throw new RangeError('olderThanDays must be a whole number of days, at least 1');
  }
  const batchSize = options.batchSize ?? DEFAULT_PRUNE_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive whole number');
  const cutoff = retentionCutoff(options.olderThanDays, options.now) as Date;
  const dryRun = options.dryRun === true;
  const result: PruneResult = { cutoff, dryRun, syncRuns: 0, regionSyncs: 0, batches: 0, keptHistoryRuns: 0 };

  const candidates = await queryRows<{ id: string; regions: number }>(db, pruneCandidates(cutoff));

  for (const window of windows(candidates, batchSize)) {
    const ids = window.map((r) => r.id);
    const history = new Set((await queryRows<{ id: string }>(db, runsKept(idArray(ids),
      (id) => sql`(${namedByHistory(id)} or ${runChangedSomeRegion(id)})`))).map((r) => r.id));
    result.keptHistoryRuns += history.size;
    const doomed = ids.filter((id) => !history.has(id));
    if (doomed.length === 0) continue;
    if (dryRun) await countWindow(db, doomed, batchSize, result);
    else await deleteWindow(db, doomed, batchSize, result);
  }
  return result;
}

/** Consecutive runs whose region rows add up to about `batchSize` (at least one run each). */
function windows<T extends { regions: number }>(runs: readonly T[], batchSize: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let rows = 0;
  for (const run of runs) {
    if (current.length > 0 && (rows + run.regions > batchSize || current.length >= batchSize)) {
      out.push(current);
      current = [];
      rows = 0;
    }
    current.push(run);
    rows += run.regions;
  }
  if (current.length > 0) out.push(current);
  return out;
}

async function deleteWindow(db: Db, runIds: readonly string[], batchSize: number, result: PruneResult): Promise<void> {
  const ids = idArray(runIds);
  result.regionSyncs += await deleteInBatches(db, batchSize, result, deleteRegionSyncsOfRuns(ids, batchSize, namedByHistory));
  // A run row goes once none of its region rows is left (the protected ones keep it, and the
  // foreign key would refuse it anyway).
  result.syncRuns += await deleteInBatches(db, batchSize, result, deleteRunsOf(ids, batchSize, namedByHistory));
}

/**
 * Runs `del` (a DELETE of at most `batchSize` rows, each statement its own transaction) until it
 * removes fewer than a batch; counts the batches that removed something into `result`.
 */
async function deleteInBatches(db: Db, batchSize: number, result: PruneResult, del: SQL): Promise<number> {
  let total = 0;
  for (;;) {
    const [row] = await queryRows<{ n: number }>(db, sql`with gone as (${del} returning 1) select count(*)::int as n from gone`);
    const n = row?.n ?? 0;
    if (n > 0) {
      total += n;
      result.batches++;
    }
    if (n < batchSize) return total;
  }
}

/** The dry run of deleteWindow: the same predicates, counted. */
async function countWindow(db: Db, runIds: readonly string[], batchSize: number, result: PruneResult): Promise<void> {
  const ids = idArray(runIds);
  const [row] = await queryRows<{ regions: number; runs: number }>(db, sql`
    with rows as (${regionSyncsKeptOfRuns(ids)})
    select (select count(*) from rows where not kept)::int as regions,
      ${countRunsPrunable(ids, 'rows')}::int as runs`);
  const regions = row?.regions ?? 0;
  const runs = row?.runs ?? 0;
  result.regionSyncs += regions;
  result.syncRuns += runs;
  result.batches += Math.ceil(regions / batchSize) + Math.ceil(runs / batchSize);
}

/** One line: what went (or would go), for the CLI and the worker's log. */
export function describePrune(r: PruneResult): string {
  const verb = r.dryRun ? 'would remove' : 'removed';
  return `prune ${verb} ${r.syncRuns} sync_runs and ${r.regionSyncs} region_syncs rows of runs started before ` +
    `${r.cutoff.toISOString()} in ${r.batches} batch(es); kept ${r.keptHistoryRuns} older run(s) that recorded changes`;
}
