/**
 * `runs` in each format: JSON keeps each run with its regions nested; table and CSV show one row
 * per (run, region) so a failed region and its error are on one line.
 */
import type { Column, OutputFormat, Row } from './columns.js';
import { formatJson } from './format-json.js';
import { formatRows } from './format-rows.js';

export const RUN_COLUMNS: Column[] = [
  { key: 'runId', header: 'Run' }, { key: 'startedAt', header: 'Started' }, { key: 'runStatus', header: 'Run status' },
  { key: 'account', header: 'Account' }, { key: 'regionId', header: 'Region' }, { key: 'status', header: 'Status' },
  { key: 'pages', header: 'Pages' }, { key: 'images', header: 'Images' }, { key: 'created', header: 'Created' },
  { key: 'updated', header: 'Updated' }, { key: 'statusChanged', header: 'Status chg' },
  { key: 'tagsChanged', header: 'Tags chg' }, { key: 'deleted', header: 'Deleted' }, { key: 'restored', header: 'Restored' },
  { key: 'error', header: 'Error' },
];

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

export function formatRuns(format: OutputFormat, runs: readonly Row[], color = false): string {
  if (format === 'json') return formatJson(runs);
  return formatRows(format, RUN_COLUMNS, flattenRuns(runs), color);
}
