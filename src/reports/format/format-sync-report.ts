/**
 * The `sync` summary in each format. JSON is one object (the run and its `regions`); CSV is one
 * row per region with exactly the keys of `regions[]`; the table is those rows plus a last line
 * with the run's outcome.
 */
import { SYNC_LAYOUT } from '../layouts.js';
import type { OutputFormat } from './columns.js';
import { formatJson } from './format-json.js';
import { formatRows } from './format-rows.js';
import type { TableOptions } from './format-table.js';
import type { RunSyncReport } from '../../sync/run-sync.js';

/** The `sync --format json` document: one object, stable keys, for scripts. */
export function syncReportJson(report: RunSyncReport) {
  return {
    runId: report.runId,
    status: report.summary.status,
    /** Why the run is not `succeeded` (null when it is). */
    error: report.summary.error,
    unknownRegions: report.unknownRegions.map((u) => u.regionId),
    regions: report.regions.map((r) => ({
      account: r.account,
      regionId: r.regionId,
      status: r.status,
      pages: r.pages,
      images: r.images,
      created: r.counts.created,
      updated: r.counts.updated,
      statusChanged: r.counts.status_changed,
      tagsChanged: r.counts.tags_changed,
      deleted: r.counts.deleted,
      restored: r.counts.restored,
      throttles: r.throttles ?? 0,
      error: r.error ? `${r.error.code}: ${r.error.message}` : null,
    })),
  };
}

/** Left out by a signal or asked for by a mistyped name: counted in one line, not a row each. */
const SAID_IN_ONE_LINE = new Set(['Interrupted', 'UnknownRegion']);

export function formatSyncReport(format: OutputFormat, report: RunSyncReport, options: TableOptions = {}): string {
  const doc = syncReportJson(report);
  if (format === 'json') return formatJson(doc);
  if (format === 'csv') return formatRows(format, SYNC_LAYOUT, doc.regions, options);
  // A table is for a person: the regions that ran, each once. Interrupted regions are one count
  // (issue 22 #5) and unknown names the command's one error line (#6), not a row, a reason and a
  // name in the run's error each.
  const shown = doc.regions.filter((_r, i) => !SAID_IN_ONE_LINE.has(report.regions[i]?.error?.code ?? ''));
  const interrupted = report.regions.filter((r) => r.error?.code === 'Interrupted').length;
  if (shown.length === 0 && interrupted === 0) return '';
  const rows = shown.length > 0 ? formatRows(format, SYNC_LAYOUT, shown, options) : '';
  // The table cuts long errors to fit; every reason is printed whole below it (a cut one loses the hint what to fix).
  const reasons = shown.filter((r) => r.error !== null).map((r) => `  ${r.account}/${r.regionId}: ${r.error}`);
  const why = interrupted > 0
    ? `: interrupted, ${interrupted} of ${report.regions.length} regions not synced (the next run syncs them)`
    : doc.error !== null ? `: ${doc.error}` : '';
  // Throttling is absorbed, not failed: say how often, so a budget set too high is visible.
  const throttles = doc.regions.reduce((n, r) => n + r.throttles, 0);
  const absorbed = throttles > 0 ? `${throttles} throttling answer(s) waited out (x-acs-retry-after), no attempt spent\n` : '';
  return `${rows}${reasons.length > 0 ? `reasons:\n${reasons.join('\n')}\n` : ''}${absorbed}run ${report.runId}: ${report.summary.status}${why}\n`;
}
