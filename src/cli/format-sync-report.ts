import Table from 'cli-table3';
import type { RunSyncReport } from '../sync/run-sync.js';

/** The `sync --json` document: one object, stable keys, for scripts. */
export function syncReportJson(report: RunSyncReport) {
  return {
    runId: report.runId,
    status: report.summary.status,
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
      error: r.error ? `${r.error.code}: ${r.error.message}` : null,
    })),
  };
}

export function syncReportTable(report: RunSyncReport): string {
  const table = new Table({
    head: ['account', 'region', 'status', 'pages', 'images', 'created', 'updated', 'status chg', 'tags chg', 'deleted', 'restored', 'error'],
    style: { head: [], border: [] },
  });
  for (const r of syncReportJson(report).regions) {
    table.push([r.account, r.regionId, r.status, r.pages, r.images, r.created, r.updated, r.statusChanged, r.tagsChanged, r.deleted, r.restored,
      r.error === null ? '' : r.error.length > 60 ? `${r.error.slice(0, 57)}...` : r.error]);
  }
  return `${table.toString()}\nrun ${report.runId}: ${report.summary.status}\n`;
}
