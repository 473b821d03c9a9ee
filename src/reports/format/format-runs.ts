/**
 * `runs` in each format: JSON keeps each run with its regions nested; CSV has one row per (run,
 * region) so a failed region and its error are on one line. The table is one line per run (the
 * run id `runs RUN_ID` takes, its status, how many regions synced); with `regions` (`runs RUN_ID`,
 * `runs --regions`) one row per region, like the CSV.
 */
import { RUN_REGIONS_LAYOUT, RUNS_COLUMNS } from '../layouts.js';
import type { OutputFormat, Row } from './columns.js';
import { formatJson } from './format-json.js';
import { formatRows } from './format-rows.js';
import { formatTable, type TableOptions } from './format-table.js';

/** The JSON keys of a run and of each of its `regions` (docs/REPORTS.md). */
export const RUN_FIELDS = ['runId', 'trigger', 'status', 'startedAt', 'finishedAt', 'imagesSeen', 'error', 'regions'] as const;
export const RUN_REGION_FIELDS = ['account', 'regionId', 'status', 'attempts', 'pages', 'apiCalls', 'images', 'created', 'updated',
  'statusChanged', 'tagsChanged', 'deleted', 'restored', 'errorCode', 'errorMessage', 'startedAt', 'finishedAt'] as const;

const EVENT_COUNTS = ['created', 'updated', 'statusChanged', 'tagsChanged', 'deleted', 'restored'] as const;

export function flattenRuns(runs: readonly Row[]): Row[] {
  return runs.flatMap((run) => {
    const base = { runId: run.runId, startedAt: run.startedAt, runStatus: run.status };
    const regions = regionsOf(run);
    if (regions.length === 0) return [{ ...base, error: run.error ?? null }];
    return regions.map((r) => ({
      ...base, ...r,
      error: [r.errorCode, r.errorMessage].filter((x) => typeof x === 'string' && x !== '').join(': ') || null,
    }));
  });
}

/** One table line of a run: its regions as `synced/total` and its events summed. */
export function summarizeRun(run: Row): Row {
  const regions = regionsOf(run);
  const synced = regions.filter((r) => r.status === 'succeeded').length;
  const events = regions.reduce((n, r) => n + EVENT_COUNTS.reduce((m, k) => m + (typeof r[k] === 'number' ? r[k] : 0), 0), 0);
  return {
    startedAt: run.startedAt, runId: run.runId, status: run.status, trigger: run.trigger,
    regionsSynced: `${synced}/${regions.length}`, imagesSeen: run.imagesSeen, events, error: run.error ?? null,
  };
}

export function formatRuns(format: OutputFormat, runs: readonly Row[], options: TableOptions = {}, view: { regions?: boolean } = {}): string {
  if (format === 'json') return formatJson(runs);
  if (format === 'table' && view.regions !== true) return formatTable(RUNS_COLUMNS, runs.map(summarizeRun), options);
  const rows = flattenRuns(runs);
  const table = formatRows(format, RUN_REGIONS_LAYOUT, rows, options);
  if (format === 'csv') return table;
  // As under `sync`: the table cuts or hides long errors to fit, so every reason follows it whole.
  const reasons = rows.filter((r) => typeof r.error === 'string' && r.error !== '')
    .map((r) => `  ${r.regionId === undefined ? String(r.runId) : `${String(r.account)}/${String(r.regionId)}`}: ${String(r.error)}`);
  return `${table}${reasons.length > 0 ? `reasons:\n${reasons.join('\n')}\n` : ''}`;
}

function regionsOf(run: Row): Row[] {
  return Array.isArray(run.regions) ? (run.regions as Row[]) : [];
}
