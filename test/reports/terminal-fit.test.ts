/**
 * Tables at 80 and 200 columns keep the point (issue 22 items 1, 3, 4, 12), over fixed rows shaped
 * like the demo's (its 22-character image ids, one account, four regions): golden files in
 * test/reports/golden/terminal/, plus the rule each golden stands for, asserted directly.
 */
import { describe, expect, it } from 'vitest';
import stringWidth from 'string-width';
import { displayZone } from '../../src/reports/format/display-time.js';
import { fitColumns } from '../../src/reports/format/fit-columns.js';
import { followLines } from '../../src/reports/format/format-follow.js';
import { formatRuns } from '../../src/reports/format/format-runs.js';
import { formatTable } from '../../src/reports/format/format-table.js';
import { rankColumn } from '../../src/reports/format/column-priority.js';
import { wrapText } from '../../src/reports/format/wrap-text.js';
import { HISTORY_LAYOUT, STATUS_LAYOUT, SYNC_LAYOUT, describeEvent } from '../../src/reports/layouts.js';
import type { Row } from '../../src/reports/format/columns.js';

const WIDTHS = [80, 200] as const;
const widest = (text: string) => Math.max(...text.split('\n').map((l) => stringWidth(l)));
const headerOf = (text: string) => text.split('\n')[0] ?? '';

/** The demo's second round: a deletion, a rename with a tag change, two status changes. */
const region = (regionId: string, images: number, counts: Partial<Record<string, number>>): Row => ({
  account: 'demo', regionId, status: 'succeeded', pages: regionId === 'cn-hangzhou' ? 2 : 1, images,
  created: 0, updated: 0, statusChanged: 0, tagsChanged: 0, deleted: 0, restored: 0, throttles: 0, error: null, ...counts,
});
const SYNC_ROUND_2 = [
  region('ap-southeast-1', 11, { deleted: 1 }), region('cn-beijing', 12, { updated: 1, tagsChanged: 1 }),
  region('cn-hangzhou', 120, { statusChanged: 2 }), region('cn-shanghai', 12, { restored: 1 }),
];

const event = (at: string, imageId: string, kind: string, from: string | null, to: string | null, changes: unknown): Row => ({
  observedAt: at, account: 'demo', regionId: 'cn-hangzhou', imageId, name: 'web-server-06', kind, fromStatus: from, toStatus: to,
  changes, eventId: '1', syncRunId: '2e169895-0953-486e-ba1d-3a7a60c3f6c2',
});
const HISTORY = [
  event('2026-12-06T05:38:27.000Z', 'm-a1883c4ffd020f5bd14d', 'status_changed', 'creating', 'available', { status: { old: 4, new: 1 } }),
  event('2026-12-06T05:38:27.000Z', 'm-a1883c4ffd020f5bd14d', 'updated', 'available', 'available',
    { name: { old: 'web-server-06', new: 'renamed by api' } }),
  event('2026-12-06T05:38:26.000Z', 'm-195bf1fde605f4c67ca8', 'status_changed', 'available', 'unavailable', { status: { old: 1, new: 2 } }),
  event('2026-12-06T05:38:26.000Z', 'm-6be29101bca5199e2b02', 'tags_changed', 'creating', 'creating',
    { tags: { old: [{ key: 'env', value: 'test' }], new: [{ key: 'env', value: 'test' }, { key: 'round', value: '2' }] } }),
  event('2026-12-06T05:38:25.000Z', 'm-6df296dc53962f1f4c82', 'deleted', 'copying', null, null),
];

describe('the change of an event', () => {
  it('the status for created, deleted and restored (a restore may keep its status); none unchanged for a rename or tag change', () => {
    expect(describeEvent({ kind: 'restored', fromStatus: 'copying', toStatus: 'copying', changes: null })).toBe('copying');
    expect(describeEvent({ kind: 'created', fromStatus: null, toStatus: 'creating', changes: null })).toBe('creating');
    expect(describeEvent({ kind: 'updated', fromStatus: 'available', toStatus: 'available', changes: { name: { old: 'a', new: 'b' } } }))
      .toBe('name: "a" -> "b"');
    expect(describeEvent({ kind: 'restored', fromStatus: 'unavailable', toStatus: 'available', changes: { status: { old: 2, new: 1 } } }))
      .toBe('unavailable -> available');
  });
});

const runRegion = (regionId: string, status: string, counts: Partial<Record<string, number>>, error: [string, string] | null = null): Row => ({
  account: 'demo', regionId, status, attempts: 1, pages: 1, apiCalls: 1, images: 12,
  created: 0, updated: 0, statusChanged: 0, tagsChanged: 0, deleted: 0, restored: 0,
  errorCode: error?.[0] ?? null, errorMessage: error?.[1] ?? null, startedAt: '2026-12-06T05:38:20.000Z', finishedAt: '2026-12-06T05:38:27.000Z', ...counts,
});
const RUNS: Row[] = [
  { runId: 'a894dbad-7938-431d-b846-3b721f2d9af1', trigger: 'demo', status: 'partial', startedAt: '2026-12-06T05:38:20.000Z',
    finishedAt: '2026-12-06T05:38:27.000Z', imagesSeen: 36, error: '1 of 4 regions not synced (demo/cn-shanghai: ServiceUnavailable)', regions: [
      runRegion('ap-southeast-1', 'succeeded', { deleted: 1, restored: 1 }), runRegion('cn-beijing', 'succeeded', { updated: 1, tagsChanged: 1 }),
      runRegion('cn-hangzhou', 'succeeded', { statusChanged: 2 }),
      runRegion('cn-shanghai', 'failed', {}, ['ServiceUnavailable', 'The request has failed due to a temporary failure of the server.']),
    ] },
  { runId: '2e169895-0953-486e-ba1d-3a7a60c3f6c2', trigger: 'demo', status: 'succeeded', startedAt: '2026-12-06T05:37:00.000Z',
    finishedAt: '2026-12-06T05:37:09.000Z', imagesSeen: 48, error: null, regions: [
      runRegion('ap-southeast-1', 'succeeded', {}), runRegion('cn-beijing', 'succeeded', {}),
      runRegion('cn-hangzhou', 'succeeded', { created: 3 }), runRegion('cn-shanghai', 'succeeded', {}),
    ] },
];

describe('sync summary (item 3): the counts that changed survive, empty columns go first', () => {
  it.each(WIDTHS)('at %i columns (golden)', async (width) => {
    const out = formatTable(SYNC_LAYOUT.columns, SYNC_ROUND_2, { width });
    await expect(out).toMatchFileSnapshot(`./golden/terminal/sync-round-2.table-${width}.txt`);
    expect(widest(out)).toBeLessThanOrEqual(width);
    for (const h of ['UPDATED', 'STATUS CHG', 'TAGS CHG', 'DELETED', 'RESTORED']) expect(headerOf(out)).toContain(h);
  });

  it('at 80 columns the blank ERROR column is not squeezed back while counts that changed are hidden', () => {
    const out = formatTable(SYNC_LAYOUT.columns, SYNC_ROUND_2, { width: 80 });
    expect(headerOf(out)).not.toContain('ERROR');
    // Columns with 0 in every row (Created, Throttled) went before those that changed; the note names them.
    expect(out).toMatch(/with --wide: .*Created.*Throttled/s);
    expect(out).not.toMatch(/with --wide: .*Error/s);
  });

  it('a status that differs between regions survives at 80 columns; one the same everywhere goes for the counts', () => {
    // Every kind of change in some region: the six counts alone take 73 columns.
    const busy = [...SYNC_ROUND_2.slice(0, 3), { ...SYNC_ROUND_2[3], created: 4 }];
    expect(headerOf(formatTable(SYNC_LAYOUT.columns, busy, { width: 80 })))
      .toBe('REGION          CREATED  UPDATED  STATUS CHG  TAGS CHG  DELETED  RESTORED');
    const failed = busy.map((r, i) => (i === 3 ? { ...r, status: 'failed', error: 'ServiceUnavailable: try later' } : r));
    expect(headerOf(formatTable(SYNC_LAYOUT.columns, failed, { width: 80 }))).toMatch(/^REGION +STATUS +CREATED +UPDATED/);
  });

  it('status at 60 columns: the blank error column goes first', async () => {
    const rows: Row[] = ['ap-southeast-1', 'cn-beijing', 'cn-hangzhou', 'cn-shanghai'].map((regionId) => ({
      account: 'demo', regionId, freshness: 'fresh', stale: false, lastCompleteListingAt: '2026-12-06T05:38:27.000Z', ageSeconds: 600,
      staleAfterSeconds: 1800, lastOutcome: 'succeeded', lastAttemptAt: '2026-12-06T05:38:27.000Z', lastSyncRunId: 'r', errorCode: null, errorMessage: null,
    }));
    const out = formatTable(STATUS_LAYOUT.columns, rows, { width: 60 });
    await expect(out).toMatchFileSnapshot('./golden/terminal/status-fresh.table-60.txt');
    expect(headerOf(out)).not.toContain('ERROR');
    expect(widest(out)).toBeLessThanOrEqual(60);
  });

  it('rank: blank first, then only zeros, then declared drops, answers that differ last', () => {
    const col = { key: 'k', header: 'K', drop: 5, emptyText: '0', answer: true };
    expect(rankColumn(col, ['', ''])).toEqual({ drop: 1000, blank: true });
    expect(rankColumn(col, ['0', '0'])).toEqual({ drop: 900, blank: false });
    expect(rankColumn(col, ['0', '2']).drop).toBeLessThan(2);
    expect(rankColumn({ ...col, answer: false }, ['0', '2']).drop).toBe(5);
    expect(rankColumn({ key: 'r', header: 'R' }, ['a', 'a'])).toEqual({ drop: 1, blank: false });
  });

  it('fit: a blank shrinkable column is never squeezed back into room left over', () => {
    const fit = fitColumns([{ natural: 60, drop: 1 }, { natural: 30, drop: 5 }, { natural: 5, drop: 1000, shrinkTo: 24, blank: true }], 80, 2);
    expect(fit.shown).toEqual([0]);
    expect(fit.hidden).toEqual([1, 2]);
  });
});

describe('history (item 1): kind and change survive at 80 columns, uncut', () => {
  it.each(WIDTHS)('table at %i columns (golden)', async (width) => {
    const out = formatTable(HISTORY_LAYOUT.columns, HISTORY, { width });
    await expect(out).toMatchFileSnapshot(`./golden/terminal/history.table-${width}.txt`);
    expect(widest(out)).toBeLessThanOrEqual(width);
    expect(out).not.toContain('…');
    expect(headerOf(out)).toMatch(/KIND +CHANGE/);
    // Every transition is there whole, if wrapped: read back without the line breaks.
    const flat = out.replace(/\s+/g, ' ');
    for (const t of ['creating -> available', 'available -> unavailable', 'name: "web-server-06" -> "renamed by api"']) expect(flat).toContain(t);
  });

  it.each(WIDTHS)('--follow lines at %i columns (golden): kind and change before the name; two events never print the same line', async (width) => {
    const out = followLines('table', HISTORY_LAYOUT, HISTORY, { width });
    await expect(out).toMatchFileSnapshot(`./golden/terminal/history-follow.table-${width}.txt`);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(HISTORY.length);
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines[1]).toContain('updated  name: "web-server-06" -> "renamed by api"  m-a1883c4ffd020f5bd14d');
    expect(lines[0]).toContain('status_changed  creating -> available  m-a1883c4ffd020f5bd14d');
  });

  it('wraps at spaces, splits a word only when it is wider than the column', () => {
    expect(wrapText('available -> unavailable', 16)).toBe('available ->\nunavailable');
    expect(wrapText('tags: owner=ops@example.com', 12)).toBe('tags:\nowner=ops@ex\nample.com');
    expect(wrapText('测试镜像 ab', 5)).toBe('测试\n镜像\nab');
  });
});

describe('runs (item 4): one line per run, its regions with runs RUN_ID', () => {
  it.each(WIDTHS)('runs at %i columns (golden)', async (width) => {
    const out = formatRuns('table', RUNS, { width });
    await expect(out).toMatchFileSnapshot(`./golden/terminal/runs.table-${width}.txt`);
    expect(widest(out)).toBeLessThanOrEqual(width);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^STARTED \(UTC\) +RUN +STATUS/);
    expect(lines[1]).toContain('a894dbad-7938-431d-b846-3b721f2d9af1  partial');
    expect(lines[2]).toContain('2e169895-0953-486e-ba1d-3a7a60c3f6c2  succeeded');
    expect(lines.filter((l) => /cn-beijing/.test(l))).toEqual([]);
  });

  it.each(WIDTHS)('runs RUN_ID at %i columns (golden): one row per region', async (width) => {
    const out = formatRuns('table', RUNS.slice(0, 1), { width }, { regions: true });
    await expect(out).toMatchFileSnapshot(`./golden/terminal/run-regions.table-${width}.txt`);
    // The table fits; the reasons under it are whole, as under `sync` (the terminal wraps them).
    expect(widest(out.slice(0, out.indexOf('reasons:')))).toBeLessThanOrEqual(width);
    expect(headerOf(out)).toMatch(/STATUS +.*DELETED +RESTORED/);
    expect(out.split('\n').filter((l) => /(ap-southeast-1|cn-beijing|cn-hangzhou|cn-shanghai)/.test(l) && !l.startsWith(' '))).toHaveLength(4);
    expect(out).toContain('reasons:\n  demo/cn-shanghai: ServiceUnavailable: The request has failed due to a temporary failure of the server.\n');
  });
});

describe('text (item 12)', () => {
  it('a zone keeps its case in the header; the note under a table wraps whole names instead of cutting', () => {
    const out = formatTable(STATUS_LAYOUT.columns, [{ account: 'demo', regionId: 'cn-hangzhou', freshness: 'fresh', ageSeconds: 1,
      lastCompleteListingAt: '2026-12-06T05:38:27.000Z', lastOutcome: 'succeeded', lastAttemptAt: '2026-12-06T05:38:27.000Z' }],
    { width: 200, zone: displayZone('Asia/Shanghai') });
    expect(headerOf(out)).toContain('LAST COMPLETE (Asia/Shanghai)');
    const narrow = formatTable(SYNC_LAYOUT.columns, SYNC_ROUND_2, { width: 40 });
    const note = narrow.slice(narrow.indexOf('('));
    expect(note).not.toContain('…');
    expect(note.replace(/\n/g, ' ')).toMatch(/Tags chg|Deleted/);
    for (const l of note.trimEnd().split('\n')) expect(stringWidth(l)).toBeLessThanOrEqual(40);
    expect(note).not.toMatch(/Status\nchg|Tags\nchg/);
  });
});
