/**
 * The only I/O in src/reports besides the CLI: runs the builders' SQL on a `Db` (either driver)
 * and returns plain rows.
 */
import { queryRows, type Db } from '../db/database.js';
import type { Row } from './format/columns.js';
import type { ReportResult } from './format/format-report.js';
import { buildHistoryQuery, type HistoryQueryOptions } from './sql/history-query.js';
import { buildImageDetailQuery, buildImageVersionsQuery } from './sql/image-detail-query.js';
import { buildImagesQuery, type ImagesQueryOptions } from './sql/images-query.js';
import { buildEventsPerDayQuery, buildInventoryCountsQuery } from './sql/overview-queries.js';
import { REPORT_SECTIONS, buildReportQueries, type ReportOptions } from './sql/report-queries.js';
import { buildRunsQuery } from './sql/runs-query.js';
import { buildStatusQuery } from './sql/status-query.js';
import type { ScopeFilter } from './sql/fragments.js';

export async function listImages(db: Db, options: ImagesQueryOptions): Promise<Row[]> {
  return (await queryRows<Row>(db, buildImagesQuery(options))).map((row) => ({ ...row, tags: tagsObject(row.tags) }));
}

/** `[{key, value}]` (versions) -> `{key: value}` (as the current views give them). */
export function tagsObject(tags: unknown): unknown {
  if (!Array.isArray(tags)) return tags;
  const entries = tags.filter((t): t is { key: string; value: string } => typeof t === 'object' && t !== null && 'key' in t)
    .map((t) => [t.key, t.value] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}

export async function listHistory(db: Db, options: HistoryQueryOptions): Promise<Row[]> {
  return (await queryRows<Row>(db, buildHistoryQuery(options))).map(plainRow);
}

export async function listRuns(db: Db, limit: number, options: Parameters<typeof buildRunsQuery>[1] = {}): Promise<Row[]> {
  return (await queryRows<Row>(db, buildRunsQuery(limit, options))).map(plainRow);
}

/** region_states with the last attempt's error; freshness.ts judges them. */
export async function listStatus(db: Db, scope: ScopeFilter): Promise<Row[]> {
  return (await queryRows<Row>(db, buildStatusQuery(scope))).map(plainRow);
}

export async function buildReport(db: Db, options: ReportOptions): Promise<ReportResult> {
  const queries = buildReportQueries(options);
  const sections: ReportResult['sections'] = [];
  // One after another: PGlite has a single connection anyway, and the sections are small.
  for (const name of REPORT_SECTIONS) {
    const query = queries[name];
    if (query) sections.push({ name, rows: (await queryRows<Row>(db, query)).map(plainRow) });
  }
  return {
    parameters: {
      generatedAt: options.now.toISOString(),
      olderThanDays: options.olderThanDays,
      changesDays: options.changesDays,
      requireTags: [...options.requireTags],
      accounts: [...(options.accounts ?? [])],
      regions: [...(options.regions ?? [])],
    },
    sections,
  };
}

/**
 * Postgres.js returns a Result row object; copy to plain objects so output does not depend on the
 * driver (the queries already return timestamps as text and counts as int).
 */
function plainRow(row: Row): Row {
  return { ...row };
}

/** The overview's counts by status, region, account and OS (one scan), as `{dimension, value, statusCode, images}` rows. */
export async function countInventory(db: Db): Promise<Row[]> {
  return (await queryRows<Row>(db, buildInventoryCountsQuery())).map(plainRow);
}

export async function countEventsPerDay(db: Db, now: Date, days: number): Promise<Row[]> {
  return (await queryRows<Row>(db, buildEventsPerDayQuery(now, days))).map(plainRow);
}

/** Every stored field of the image, once per account holding the id. */
export async function findImage(db: Db, imageId: string, accounts?: readonly string[]): Promise<Row[]> {
  return (await queryRows<Row>(db, buildImageDetailQuery(imageId, accounts))).map(plainRow);
}

export async function listImageVersions(db: Db, account: string, imageId: string): Promise<Row[]> {
  return (await queryRows<Row>(db, buildImageVersionsQuery(account, imageId))).map(plainRow);
}
