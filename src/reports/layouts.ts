/**
 * Every table layout of the program in one place: for each result set, its JSON keys and CSV
 * header (`fields`, documented in docs/REPORTS.md and docs/NOTIFICATIONS.md) and the columns a
 * person sees in a table. Commands pick a layout and a formatter; none defines its own.
 */
import type { Column, Layout, Row } from './format/columns.js';
import { describeChanges } from './format/describe-changes.js';
import { formatAge } from './format/display-time.js';
import type { ReportSection } from './sql/report-queries.js';

const count = (key: string, header: string, drop: number, extra: Partial<Column> = {}): Column => ({ key, header, align: 'right', drop, ...extra });
/** A count of events: `0` in every row says nothing happened, so the column is left out early. */
const events = (key: string, header: string, drop: number, extra: Partial<Column> = {}): Column => count(key, header, drop, { emptyText: '0', ...extra });

/** `images` (docs/REPORTS.md); the table drops the low-value columns first. */
export const IMAGES_LAYOUT: Layout = {
  fields: ['account', 'regionId', 'imageId', 'name', 'status', 'statusCode', 'osType', 'creationTime', 'systemDiskGb',
    'instanceId', 'createInstances', 'tags', 'deletedAt'],
  columns: [
    { key: 'account', header: 'Account', drop: 4 }, { key: 'regionId', header: 'Region' }, { key: 'imageId', header: 'Image' },
    { key: 'name', header: 'Name', shrinkTo: 16 }, { key: 'status', header: 'Status' },
    { key: 'osType', header: 'OS', drop: 6 }, { key: 'creationTime', header: 'Created', time: true, drop: 5 },
    { key: 'systemDiskGb', header: 'Disk GB', align: 'right', drop: 8 },
    { key: 'createInstances', header: 'Instances', drop: 7, shrinkTo: 12 }, { key: 'tags', header: 'Tags', drop: 3, shrinkTo: 12 },
  ],
};

/** `images --include-deleted`: the same, and when each was deleted. */
export const IMAGES_WITH_DELETED_LAYOUT: Layout = {
  ...IMAGES_LAYOUT, columns: [...IMAGES_LAYOUT.columns, { key: 'deletedAt', header: 'Deleted', time: true }],
};

/**
 * `history` and `history --follow` (docs/REPORTS.md). The change is one column (describeEvent).
 */
export const HISTORY_LAYOUT: Layout = {
  fields: ['observedAt', 'account', 'regionId', 'imageId', 'name', 'kind', 'fromStatus', 'toStatus', 'changes', 'eventId', 'syncRunId'],
  columns: [
    { key: 'observedAt', header: 'When', time: true }, { key: 'account', header: 'Account', drop: 5 },
    { key: 'regionId', header: 'Region', drop: 4 }, { key: 'imageId', header: 'Image' },
    { key: 'name', header: 'Name', drop: 3, shrinkTo: 12 }, { key: 'kind', header: 'Kind', answer: true },
    { key: 'changes', header: 'Change', shrinkTo: 16, answer: true, text: (_v, row) => describeEvent(row) },
  ],
};

/** `history --follow` lines: the answer (when, kind, change, image) first, the rest after it. */
export const FOLLOW_LINE_KEYS = ['observedAt', 'kind', 'changes', 'imageId', 'name', 'account', 'regionId'] as const;
/** How many of FOLLOW_LINE_KEYS a follow line never cuts. */
export const FOLLOW_LINE_KEPT = 4;

/**
 * An event's change for people: the status as labels when it changed (`creating -> available`) or
 * when the event has one side (the status a `created` image had, a `deleted` one left), then
 * `name: "a" -> "b"` and each other field, one a line.
 */
export function describeEvent(row: Row): string {
  // The unchanged status of a rename or a tag change is not part of the change; a created, deleted
  // or restored image's status is (a restore can come back in the status it left in).
  const unchanged = (row.kind === 'updated' || row.kind === 'tags_changed') && typeof row.fromStatus === 'string' && row.fromStatus === row.toStatus;
  return [unchanged ? '' : foldStatus(row), describeChanges(withoutStatus(row.changes))].filter((t) => t !== '').join('\n');
}

/** `creating -> available`; one label when it did not change (or the event has only one side). */
export function foldStatus(row: Row): string {
  const from = typeof row.fromStatus === 'string' ? row.fromStatus : null;
  const to = typeof row.toStatus === 'string' ? row.toStatus : null;
  if (from !== null && to !== null && from !== to) return `${from} -> ${to}`;
  return to ?? from ?? '';
}

function withoutStatus(changes: unknown): unknown {
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) return changes;
  const { status: _status, ...rest } = changes as Record<string, unknown>;
  return rest;
}

/** `status` (docs/REPORTS.md). */
export const STATUS_LAYOUT: Layout = {
  fields: ['account', 'regionId', 'freshness', 'stale', 'lastCompleteListingAt', 'ageSeconds', 'staleAfterSeconds',
    'lastOutcome', 'lastAttemptAt', 'lastSyncRunId', 'errorCode', 'errorMessage'],
  columns: [
    { key: 'account', header: 'Account', drop: 4 }, { key: 'regionId', header: 'Region' },
    { key: 'freshness', header: 'Freshness' },
    { key: 'lastCompleteListingAt', header: 'Last complete', time: true, drop: 3 },
    { key: 'ageSeconds', header: 'Age', align: 'right', text: (v) => (typeof v === 'number' ? formatAge(v * 1000) : 'never') },
    { key: 'lastOutcome', header: 'Last outcome' }, { key: 'lastAttemptAt', header: 'Last attempt', time: true, drop: 5 },
    { key: 'errorCode', header: 'Error', shrinkTo: 20, text: (_v, row) => errorText(row) },
  ],
};

function errorText(row: Row): string {
  return [row.errorCode, row.errorMessage].filter((x) => typeof x === 'string' && x !== '').join(': ');
}

/**
 * `runs RUN_ID` and `runs --regions`: one row per run and region. Its fields are also the CSV of
 * every `runs` (the table of plain `runs` is one line per run: RUNS_COLUMNS).
 */
export const RUN_REGIONS_LAYOUT: Layout = {
  fields: ['runId', 'startedAt', 'runStatus', 'account', 'regionId', 'status', 'pages', 'images', 'created', 'updated',
    'statusChanged', 'tagsChanged', 'deleted', 'restored', 'error'],
  columns: [
    { key: 'startedAt', header: 'Started', time: true, drop: 3 }, { key: 'runId', header: 'Run', drop: 6 },
    { key: 'runStatus', header: 'Run status', drop: 6 }, { key: 'account', header: 'Account', drop: 4 },
    { key: 'regionId', header: 'Region' }, { key: 'status', header: 'Status', drop: 2, answer: true }, count('pages', 'Pages', 7),
    count('images', 'Images', 3), events('created', 'Created', 5, { answer: true }), events('updated', 'Updated', 5, { answer: true }),
    events('statusChanged', 'Status chg', 5, { answer: true }), events('tagsChanged', 'Tags chg', 5, { answer: true }),
    events('deleted', 'Deleted', 5, { answer: true }), events('restored', 'Restored', 5, { answer: true }),
    { key: 'error', header: 'Error', shrinkTo: 20, drop: 2 },
  ],
};

/** `runs`: one line per run (format-runs.ts sums its regions); the run id is what `runs RUN_ID` takes. */
export const RUNS_COLUMNS: readonly Column[] = [
  { key: 'startedAt', header: 'Started', time: true }, { key: 'runId', header: 'Run', answer: true },
  { key: 'status', header: 'Status', answer: true }, { key: 'trigger', header: 'Trigger', drop: 6 },
  { key: 'regionsSynced', header: 'Regions', align: 'right', drop: 2 },
  count('imagesSeen', 'Images', 5), events('events', 'Changes', 4),
  // Cut to fit; `runs RUN_ID` prints every region's reason whole.
  { key: 'error', header: 'Error', shrinkTo: 20, drop: 3 },
];

/** The `sync` summary's rows, one per region (format-sync-report.ts adds the run's last line). */
export const SYNC_LAYOUT: Layout = {
  fields: ['account', 'regionId', 'status', 'pages', 'images', 'created', 'updated', 'statusChanged', 'tagsChanged', 'deleted', 'restored', 'throttles', 'error'],
  columns: [
    // Status goes when every region has the same one (the run's last line says it), not when they
    // differ; how many images a region has goes before the counts of what changed.
    { key: 'account', header: 'Account', drop: 4 }, { key: 'regionId', header: 'Region' }, { key: 'status', header: 'Status', drop: 2, answer: true },
    count('pages', 'Pages', 6), count('images', 'Images', 3), events('created', 'Created', 5, { answer: true }),
    events('updated', 'Updated', 5, { answer: true }), events('statusChanged', 'Status chg', 5, { answer: true }),
    events('tagsChanged', 'Tags chg', 5, { answer: true }), events('deleted', 'Deleted', 5, { answer: true }),
    events('restored', 'Restored', 5, { answer: true }), events('throttles', 'Throttled', 6), { key: 'error', header: 'Error', shrinkTo: 24 },
  ],
};

/** `notifications status` (docs/NOTIFICATIONS.md). */
export const NOTIFICATION_STATUS_LAYOUT: Layout = {
  fields: ['subscription', 'target', 'started', 'lagEvents', 'lagSeconds', 'unscanned', 'pending', 'failing', 'dead',
    'delivered', 'lastDeliveredAt', 'lastError'],
  columns: [
    { key: 'subscription', header: 'Subscription' },
    { key: 'target', header: 'Target', drop: 4, shrinkTo: 16 },
    { key: 'lagEvents', header: 'Lag', align: 'right', text: (v, row) => (row.started === false ? 'not started' : String(v)) },
    { key: 'lagSeconds', header: 'Lag age', align: 'right', text: (v, row) => (typeof v === 'number' && row.started !== false ? formatAge(v * 1000) : '') },
    { key: 'failing', header: 'Failing', align: 'right' },
    { key: 'dead', header: 'Dead', align: 'right' },
    { key: 'delivered', header: 'Delivered', align: 'right' },
    { key: 'lastDeliveredAt', header: 'Last delivered', time: true, drop: 3 },
    { key: 'lastError', header: 'Last error', shrinkTo: 12, drop: 2 },
  ],
};

/** The `report` sections: a title and the columns of each (the queries are in sql/report-queries.ts). */

const IMAGE: Column[] = [
  { key: 'account', header: 'Account', drop: 3 }, { key: 'regionId', header: 'Region', drop: 2 },
  { key: 'imageId', header: 'Image' }, { key: 'name', header: 'Name', shrinkTo: 16 },
];

export const SECTION_LAYOUT: Record<ReportSection, { title: (p: ReportParameters) => string; columns: Column[] }> = {
  by_region_status: {
    title: () => 'Images by region and status',
    columns: [{ key: 'regionId', header: 'Region' }, { key: 'status', header: 'Status' }, { key: 'images', header: 'Images', align: 'right' }],
  },
  by_os_type: {
    title: () => 'Images by OS type',
    columns: [{ key: 'osType', header: 'OS type' }, { key: 'images', header: 'Images', align: 'right' }],
  },
  failed_or_unavailable: {
    title: () => 'Images in creation_failed or unavailable status',
    columns: [...IMAGE, { key: 'status', header: 'Status' }],
  },
  older_than: {
    title: (p) => `Images created more than ${p.olderThanDays} days ago`,
    columns: [...IMAGE, { key: 'creationTime', header: 'Created', time: true, drop: 4 }, { key: 'ageDays', header: 'Age (days)', align: 'right' }],
  },
  never_used: {
    title: () => 'Images no instance was created from',
    columns: [...IMAGE, { key: 'creationTime', header: 'Created', time: true, drop: 4 }],
  },
  missing_tag: {
    title: (p) => `Images missing a required tag (${p.requireTags.join(', ')})`,
    columns: [...IMAGE, { key: 'missingTag', header: 'Missing tag' }],
  },
  changes_by_kind: {
    title: (p) => `Changes in the last ${p.changesDays} days by kind`,
    columns: [{ key: 'kind', header: 'Kind' }, { key: 'events', header: 'Events', align: 'right' }],
  },
};

export interface ReportParameters {
  generatedAt: string;
  olderThanDays: number;
  changesDays: number;
  requireTags: string[];
  accounts: string[];
  regions: string[];
}
