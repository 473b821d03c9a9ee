/**
 * `runs` in each format: JSON keeps each run with its regions nested; table and CSV show one row
 * per (run, region) so a failed region and its error are on one line.
 */
import { RUNS_LAYOUT } from '../layouts.js';
import type { OutputFormat, Row } from './columns.js';
import { formatJson } from './format-json.js';
import { formatRows } from './format-rows.js';
import type { TableOptions } from './format-table.js';

/** The JSON keys of a run and of each of its `regions` (docs/REPORTS.md). */
export const RUN_FIELDS = ['runId', 'trigger', 'status', 'startedAt', 'finishedAt', 'imagesSeen', 'error', 'regions'] as const;
export const RUN_REGION_FIELDS = ['account', 'regionId', 'status', 'attempts', 'pages', 'apiCalls', 'images', 'created', 'updated',
  'statusChanged', 'tagsChanged', 'deleted', 'restored', 'errorCode', 'errorMessage', 'startedAt', 'finishedAt'] as const;

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
