/**
 * Every report command in every format over the scripted history, against golden files
 * (test/reports/golden/): tables at 80 and 200 columns fit, have no rules and keep CJK aligned;
 * CSV parses back to the records of the JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import stringWidth from 'string-width';
import { createTestDatabase } from '../helpers/databases.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { reportCsvFields } from '../../src/reports/format/format-report.js';
import { flattenRuns } from '../../src/reports/format/format-runs.js';
import { csvRecordsOf } from './helpers/csv-records.js';
import { runReportCommand, tty } from './helpers/run-command.js';
import { NOW, writeScriptedHistory } from './helpers/scripted-history.js';

const COMMANDS: Record<string, string[]> = {
  images: ['images'],
  'images-deleted': ['images', '--include-deleted'],
  'images-as-of': ['images', '--as-of', '2026-01-03T12:00:00Z'],
  history: ['history'],
  report: ['report', '--require-tag', 'owner', '--older-than', '30'],
  runs: ['runs'],
  // `runs RUN_ID`: that run's regions, one row each, and their reasons whole (issue 22 item 4).
  'run-regions': ['runs', '00000000-0000-0000-0000-000000000003'],
};

type Rec = Record<string, unknown>;

/** The records the CSV of a command must parse back to, from its JSON. */
function jsonRecords(name: string, json: unknown): Rec[] {
  if (name === 'runs' || name === 'run-regions') return flattenRuns(json as Rec[]).map((r) => Object.fromEntries(
    ['runId', 'startedAt', 'runStatus', 'account', 'regionId', 'status', 'pages', 'images', 'created', 'updated',
      'statusChanged', 'tagsChanged', 'deleted', 'restored', 'error'].map((k) => [k, r[k] ?? null])));
  if (name === 'report') {
    const sections = (json as { sections: Record<string, Rec[]> }).sections;
    const rows = Object.entries(sections).flatMap(([section, rs]) => rs.map((r): Rec => ({ section, ...r })));
    return rows.map((r) => Object.fromEntries(reportCsvFields().map((k) => [k, r[k] ?? null])));
  }
  return json as Rec[];
}

describe('report commands: every format (golden)', () => {
  let h: DatabaseHandle;
  beforeAll(async () => {
    h = await createTestDatabase('postgres');
    await writeScriptedHistory(h.db);
  });
  afterAll(async () => h?.close());

  describe.each(Object.entries(COMMANDS))('%s', (name, args) => {
    it.each([80, 200])('table at %i columns: fits, no rules, CJK aligned', async (columns) => {
      const { out, exitCode } = await runReportCommand(h, args, { terminal: tty(columns), now: NOW });
      expect(exitCode).toBe(0);
      await expect(out).toMatchFileSnapshot(`./golden/${name}.table-${columns}.txt`);
      const lines = out.split('\n');
      expect(Math.max(...lines.map((l) => stringWidth(l)))).toBeLessThanOrEqual(columns);
      expect(lines.filter((l) => /^[\s─━┼├┤┌┐└┘│+|=-]+$/.test(l) && l.trim() !== '')).toEqual([]);
    });

    it('json and csv: golden, and the csv parses back to the json records', async () => {
      const json = await runReportCommand(h, args, { now: NOW });
      expect(json.exitCode).toBe(0);
      await expect(json.out).toMatchFileSnapshot(`./golden/${name}.json`);
      const csv = await runReportCommand(h, [...args, '--format', 'csv'], { now: NOW });
      await expect(csv.out).toMatchFileSnapshot(`./golden/${name}.csv`);
      const parsed = parse(csv.out, { columns: true }) as Array<Record<string, string>>;
      expect(parsed).toEqual(csvRecordsOf(jsonRecords(name, JSON.parse(json.out))));
    });
  });

  it('the CJK name lines up with its column at both widths', async () => {
    for (const columns of [80, 200]) {
      const { out } = await runReportCommand(h, ['images'], { terminal: tty(columns) });
      const lines = out.split('\n');
      const header = lines[0] ?? '';
      const cjk = lines.find((l) => l.includes('测试镜像')) ?? '';
      const statusAt = header.indexOf('STATUS');
      // Display columns before the status cell are the same as the header's.
      const cell = cjk.slice(0, cjk.indexOf('creation_failed'));
      expect(stringWidth(cell)).toBe(statusAt);
    }
  });
});
