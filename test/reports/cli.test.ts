/** The commands end to end on the scripted history: options, output, and exit code 2 on bad input. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { createTestDatabase } from '../helpers/databases.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { runProcess, USER_ENV } from '../helpers/processes.js';
import { runReportCommand, tty } from './helpers/run-command.js';
import { T, writeScriptedHistory } from './helpers/scripted-history.js';

describe('report commands (pglite)', () => {
  let h: DatabaseHandle;
  let closes = 0;
  beforeAll(async () => {
    h = await createTestDatabase('pglite');
    await writeScriptedHistory(h.db);
  });
  afterAll(async () => h?.close());

  /** Runs one command line; the shared test database stays open across runs. */
  const run = (...args: string[]) => runReportCommand(h, args, { terminal: tty(200), onClose: () => { closes += 1; } });

  it('images --as-of --format json: the inventory then', async () => {
    const before = closes;
    const { out, exitCode } = await run('images', '--as-of', '2026-01-03T12:00:00Z', '--account', 'prod', '--format', 'json');
    expect(exitCode).toBe(0);
    expect((JSON.parse(out) as Array<{ imageId: string; status: string }>).map((r) => `${r.imageId}:${r.status}`))
      .toEqual(['m-2:available', 'm-1:unavailable']);
    expect(closes).toBe(before + 1);
  });

  it('images: repeatable and comma-list filters, tag filter, csv', async () => {
    const { out } = await run('images', '--status', 'available', '--status', 'creation-failed', '--tag', 'env=prod',
      '--include-deleted', '--format', 'csv');
    const rows = parse(out, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.imageId, r.status, r.deletedAt])).toEqual([['m-2', 'available', ''], ['m-1', 'available', '']]);
  });

  it('history --image --kind: the timeline as a table, newest first', async () => {
    const { out } = await run('history', '--image', 'm-1', '--kind', 'status_changed,restored', '--format', 'table');
    expect(out.split('\n').slice(0, 2)).toEqual([
      'WHEN (UTC)           ACCOUNT  REGION       IMAGE  NAME    KIND            CHANGE',
      '2026-01-05 00:00:00  prod     cn-hangzhou  m-1    web-v2  restored        available',
    ]);
    // The other fields of the change under its status, in the same column.
    expect(out).toContain(`restored        available\n${' '.repeat(out.indexOf('CHANGE'))}name: "web" -> "web-v2"\n`);
    expect(out).toContain('2026-01-02 00:00:00  prod     cn-hangzhou  m-1    web-v2  status_changed  creating -> available');
    expect(out).toContain('tags: env=prod -> env=prod, owner=ops');
    expect(out).not.toContain('tags_changed');
  });

  it('history --since/--until', async () => {
    const { out } = await run('history', '--since', T.T4, '--until', T.T5, '--format', 'json');
    expect((JSON.parse(out) as Array<{ kind: string }>).map((e) => e.kind)).toEqual(['deleted']);
  });

  it('report --require-tag --older-than --format json', async () => {
    const { out } = await run('report', '--require-tag', 'owner', '--older-than', '365', '--format', 'json');
    const report = JSON.parse(out) as { olderThanDays: number; sections: Record<string, Array<{ imageId?: string }>> };
    expect(report.olderThanDays).toBe(365);
    expect(report.sections.missing_tag?.map((r) => r.imageId)).toEqual(['m-3', 'm-2']);
    expect(report.sections.older_than?.map((r) => r.imageId)).toEqual(['m-3']);
  });

  it('runs --limit: newest first, one row per region', async () => {
    const { out } = await run('runs', '--limit', '3', '--format', 'csv');
    const rows = parse(out, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.startedAt, r.regionId, r.status, r.error])).toEqual([
      [T.T5, 'ap-southeast-1', 'succeeded', ''], [T.T5, 'cn-hangzhou', 'succeeded', ''],
      [T.T4, 'ap-southeast-1', 'succeeded', ''], [T.T4, 'cn-hangzhou', 'succeeded', ''],
      [T.T3, 'ap-southeast-1', 'failed', 'ServiceUnavailable: page 2: HTTP 500'], [T.T3, 'cn-hangzhou', 'succeeded', ''],
    ]);
  });

  it('runs RUN_ID of no stored run: one line, exit 2', async () => {
    const { out, err, exitCode } = await run('runs', '00000000-0000-0000-0000-0000000000ff');
    expect(exitCode).toBe(2);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/no run 00000000-0000-0000-0000-0000000000ff/);
    expect(out).toBe('');
  });

  it('runs --regions: the table has a row per run and region, like the CSV', async () => {
    const { out } = await run('runs', '--limit', '2', '--regions', '--format', 'table', '--wide');
    expect(out.split('\n').filter((l) => /^2026-/.test(l))).toHaveLength(4);
  });

  it.each([
    [['images', '--as-of', 'last tuesday'], /option '--as-of <time>' argument 'last tuesday' is invalid\. cannot parse time/],
    [['images', '--status', 'broken'], /unknown status 'broken': expected one of copying, available/],
    [['images', '--tag', 'env'], /bad tag filter 'env': expected key=value/],
    [['images', '--format', 'xml'], /unknown format 'xml': expected one of table, json, csv/],
    [['history', '--kind', 'moved'], /unknown event kind 'moved'/],
    [['history', '--since', '2026-02-30'], /no such date/],
    [['history', '--since', '1d', '--until', '2d'], /--since .* must be before --until/],
    [['report', '--older-than', '0'], /bad number of days '0'/],
    [['runs', '--limit', 'many'], /bad limit 'many'/],
    [['images', '--as-of', '2999-01-01'], /--as-of 2999-01-01T00:00:00.000Z is in the future/],
    [['images', '--tz', 'Mars/Olympus'], /unknown time zone 'Mars\/Olympus'/],
    [['history', '--limit', '0'], /bad limit '0'/],
    [['runs', 'last'], /bad run id 'last': expected a run id as `runs` prints it/],
  ])('bad input %j: clear message on stderr, exit code 2, no database opened', async (args, message) => {
    const before = closes;
    const { out, err, exitCode } = await run(...args);
    expect(exitCode).toBe(2);
    expect(err).toMatch(message);
    expect(out).toBe('');
    expect(closes).toBe(before);
  });
});

describe('report commands as a process', () => {
  it('exit code 2 and the message on stderr for an unparseable time', async () => {
    // The built program (test/helpers/processes.ts): the exit code is the process's own.
    const result = await runProcess(['history', '--since', 'soon'], { ...USER_ENV, DATABASE_URL: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: option '--since <time>' argument 'soon' is invalid. cannot parse time 'soon'");
  });
});
