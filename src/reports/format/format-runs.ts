/**
 * `runs` in each format: JSON keeps each run with its regions nested; table and CSV show one row
 * per (run, region) so a failed region and its error are on one line.
 */
import type { Column, Layout, OutputFormat, Row } from './columns.js';
import { formatJson } from './format-json.js';
import { formatRows } from './format-rows.js';
import type { TableOptions } from './format-table.js';

/** The JSON keys of a run and of each of its `regions` (docs/REPORTS.md). */
export const RUN_FIELDS = ['runId', 'trigger', 'status', 'startedAt', 'finishedAt', 'imagesSeen', 'error', 'regions'] as const;
export const RUN_REGION_FIELDS = ['account', 'regionId', 'status', 'attempts', 'pages', 'apiCalls', 'images', 'created', 'updated',
  'statusChanged', 'tagsChanged', 'deleted', 'restored', 'errorCode', 'errorMessage', 'startedAt', 'finishedAt'] as const;

const count = (key: string, header: string, drop: number): Column => ({ key, header, align: 'right', drop });

/** One row per run and region: the CSV header, and the table's columns. */
export const RUNS_LAYOUT: Layout = {
  fields: ['runId', 'startedAt', 'runStatus', 'account', 'regionId', 'status', 'pages', 'images', 'created', 'updated',
    'statusChanged', 'tagsChanged', 'deleted', 'restored', 'error'],
  columns: [
    { key: 'startedAt', header: 'Started', time: true }, { key: 'runId', header: 'Run', drop: 6, shrinkTo: 9 },
    { key: 'runStatus', header: 'Run status', drop: 3 }, { key: 'account', header: 'Account', drop: 4 },
    { key: 'regionId', header: 'Region' }, { key: 'status', header: 'Status' }, count('pages', 'Pages', 7), count('images', 'Images', 1),
    count('created', 'Created', 5), count('updated', 'Updated', 5), count('statusChanged', 'Status chg', 5),
    count('tagsChanged', 'Tags chg', 5), count('deleted', 'Deleted', 5), count('restored', 'Restored', 5),
    { key: 'error', header: 'Error', shrinkTo: 20 },
  ],
};

export function flattenRuns(runs: readonly Row[]): Row[] {
  return runs.flatMap((run) => {
    const base = { runId: run.runId, startedAt: run.startedAt, runStatus: run.status };
    const regions = Array.isArray(run.regions) ? (run.regions as Row[]) : [];
    if (regions.length === 0) return [{ ...base, error: run.error ?? null }];
    return regions.map((r) => ({
      ...base, ...r,
      error: [r.errorCode, r.errorMessage].filter((x) => typeof x === 'string' && x !== '').join(': ') || null,
    }));
  });
}

export function formatRuns(format: OutputFormat, runs: readonly Row[], options: TableOptions = {}): string {
  if (format === 'json') return formatJson(runs);
  return formatRows(format, RUNS_LAYOUT, flattenRuns(runs), options);
}
