/**
 * docs/REPORTS.md lists the keys of every command's JSON and CSV ("Keys: `a`, `b`"); this
 * compares those lists with what the commands print over the scripted history.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { formatSyncReport } from '../../src/reports/format/format-sync-report.js';
import type { RunSyncReport } from '../../src/sync/run-sync.js';
import { createTestDatabase } from '../helpers/databases.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { REPORT_SECTIONS, buildReportQueries } from '../../src/reports/sql/report-queries.js';
import { runReportCommand, tty } from './helpers/run-command.js';
import { NOW, writeScriptedHistory } from './helpers/scripted-history.js';

const DOC = readFileSync(new URL('../../docs/REPORTS.md', import.meta.url), 'utf8');
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The output shown under `$ <command>` in a console block of the doc, up to the next command or the block's end. */
function documentedOutput(command: string): string {
  const start = DOC.indexOf(`\n$ ${command}\n`);
  expect(start, `docs/REPORTS.md shows "$ ${command}"`).toBeGreaterThan(-1);
  const rest = DOC.slice(start + command.length + 4);
  return rest.slice(0, rest.search(/\n(\$ |```)/) + 1).trimEnd();
}

/** The key list after `label` in the `### section` of the doc. */
function documented(section: string, label = 'Keys:'): string[] {
  const start = DOC.indexOf(`\n### ${section}\n`);
  expect(start, `docs/REPORTS.md has a "### ${section}" section`).toBeGreaterThan(-1);
  const body = DOC.slice(start + 1).split(/\n##/)[0] ?? '';
  const line = body.split('\n').find((l) => l.startsWith(label));
  expect(line, `"### ${section}" has a "${label}" line`).toBeDefined();
  return [...(line ?? '').slice(label.length).matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
}

const csvHeader = (csv: string) => (csv.split('\r\n')[0] ?? '').split(',');

describe('docs/REPORTS.md keys match the output', () => {
  let h: DatabaseHandle;
  beforeAll(async () => {
    h = await createTestDatabase('postgres');
    await writeScriptedHistory(h.db);
  });
  afterAll(async () => h?.close());
  const json = async (...args: string[]) => JSON.parse((await runReportCommand(h, [...args, '--format', 'json'], { now: NOW })).out) as unknown;
  const csv = async (...args: string[]) => csvHeader((await runReportCommand(h, [...args, '--format', 'csv'], { now: NOW })).out);

  it.each([['images', ['images']], ['images', ['images', '--include-deleted']], ['images', ['images', '--as-of', '2026-01-03T00:00:00Z']],
    ['history', ['history']]])('%s %j: every row has the documented keys, in order, and the CSV header is the same', async (section, args) => {
    const rows = await json(...args) as Array<Record<string, unknown>>;
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(Object.keys(row)).toEqual(documented(section));
    expect(await csv(...args)).toEqual(documented(section));
  });

  it('report: the object keys and the CSV header', async () => {
    expect(Object.keys(await json('report', '--require-tag', 'owner') as object)).toEqual(documented('report'));
    expect(await csv('report')).toEqual(documented('report', 'Keys of the CSV:'));
  });

  it('status: every row has the documented keys, and the CSV header is the same', async () => {
    await h.db.execute(sql`insert into swas.region_states (account, region_id, last_complete_listing_at, last_status, updated_at)
      values ('prod', 'cn-hangzhou', now(), 'succeeded', now()) on conflict do nothing`);
    const rows = await json('status') as Array<Record<string, unknown>>;
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(Object.keys(row)).toEqual(documented('status'));
    expect(await csv('status')).toEqual(documented('status'));
  });

  it('sync: the summary keys, its regions\' keys and the CSV header', () => {
    const report = { runId: 'r-1', summary: { status: 'partial', error: '1 region(s) not synced' }, unknownRegions: [], interrupted: false, regions: [
      { account: 'a', regionId: 'r', status: 'failed', pages: 0, apiCalls: 1, images: 0, error: { code: 'Throttling', message: 'slow' },
        counts: { created: 0, updated: 0, status_changed: 0, tags_changed: 0, deleted: 0, restored: 0 } },
    ] } as unknown as RunSyncReport;
    const doc = JSON.parse(formatSyncReport('json', report)) as { regions: Array<Record<string, unknown>> };
    expect(Object.keys(doc)).toEqual(documented('sync'));
    expect(Object.keys(doc.regions[0] ?? {})).toEqual(documented('sync', 'Keys of each of `regions`:'));
    expect(csvHeader(formatSyncReport('csv', report))).toEqual(documented('sync', 'Keys of each of `regions`:'));
  });

  it('runs: the run keys, the region keys and the CSV header', async () => {
    const runs = await json('runs') as Array<Record<string, unknown> & { regions: Array<Record<string, unknown>> }>;
    for (const run of runs) {
      expect(Object.keys(run)).toEqual(documented('runs'));
      for (const region of run.regions) expect(Object.keys(region)).toEqual(documented('runs', 'Keys of each of `regions`:'));
    }
    expect(await csv('runs')).toEqual(documented('runs', 'Keys of the CSV:'));
  });

  // Issue 22 #1, #4, #12: the examples are the output, at the width they say (200 unless COLUMNS=80).
  it.each([
    'swas-inventory history --image m-1', 'COLUMNS=80 swas-inventory history --image m-1',
    'swas-inventory runs --limit 5', 'swas-inventory runs 00000000-0000-0000-0000-000000000003',
  ])('docs/REPORTS.md shows exactly what `%s` prints', async (command) => {
    const columns = command.startsWith('COLUMNS=80 ') ? 80 : /^swas-inventory runs/.test(command) ? 80 : 200;
    const args = command.replace(/^COLUMNS=80 /, '').split(' ').slice(1);
    const { out, exitCode } = await runReportCommand(h, args, { terminal: tty(columns), now: NOW });
    expect(exitCode).toBe(0);
    expect(documentedOutput(command)).toBe(out.trimEnd());
  });

  it('the README\'s `report` comment names only sections `report` prints without options', () => {
    const comment = README.split('\n').find((l) => l.startsWith('npm run cli -- report '))?.split('#')[1] ?? '';
    expect(comment).not.toBe('');
    const shown = REPORT_SECTIONS.filter((name) => buildReportQueries({ now: NOW, olderThanDays: 180, changesDays: 7, requireTags: [] })[name] !== undefined);
    expect(shown).not.toContain('missing_tag');
    // "untagged" is the missing_tag section, which needs --require-tag.
    expect(comment).not.toMatch(/untagged|missing tag/i);
  });
});
