/** `status` over a fresh, a stale and a never-complete region; the threshold derived from the schedule. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { createTestDatabase } from '../helpers/databases.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { parseDuration } from '../../src/cli/commands/status.js';
import { scheduleIntervalMs } from '../../src/reports/freshness.js';
import { csvRecordsOf } from './helpers/csv-records.js';
import { runReportCommand, tty } from './helpers/run-command.js';

const NOW = new Date('2026-03-02T12:00:00.000Z');
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();
const RUN_OLD = '00000000-0000-0000-0000-0000000000a1';
const RUN_NEW = '00000000-0000-0000-0000-0000000000a2';

describe('freshness threshold from the schedule (pure)', () => {
  it('the longest gap between runs around now', () => {
    expect(scheduleIntervalMs('*/15 * * * *', 'UTC', NOW)).toBe(15 * 60_000);
    expect(scheduleIntervalMs('0 3 * * *', 'Asia/Shanghai', NOW)).toBe(24 * 3_600_000);
    // Weekdays only: the weekend gap counts, so Monday morning is not "stale".
    expect(scheduleIntervalMs('0 9 * * 1-5', 'UTC', NOW)).toBe(72 * 3_600_000);
    expect(scheduleIntervalMs('0 */10 * * * *', 'UTC', NOW)).toBe(10 * 60_000);
  });

  it('durations of --max-age', () => {
    expect([parseDuration('90s'), parseDuration('30m'), parseDuration('2h'), parseDuration('1d')]).toEqual([90_000, 1_800_000, 7_200_000, 86_400_000]);
    expect(() => parseDuration('soon')).toThrow(/bad duration 'soon'/);
    expect(() => parseDuration('0m')).toThrow(/bad duration/);
  });
});

describe('status command', () => {
  let h: DatabaseHandle;
  beforeAll(async () => {
    h = await createTestDatabase('postgres');
    for (const [id, at] of [[RUN_OLD, ago(120)], [RUN_NEW, ago(5)]] as const) {
      await h.db.execute(sql`insert into swas.sync_runs (id, trigger, status, started_at, finished_at) values (${id}::uuid, 'schedule', 'partial', ${at}::timestamptz, ${at}::timestamptz)`);
    }
    await h.db.execute(sql`insert into swas.region_syncs (sync_run_id, account, region_id, status, error_code, error_message, started_at)
      values (${RUN_NEW}::uuid, 'prod', 'cn-beijing', 'failed', 'Throttling.User', 'Request was denied due to user flow control.', ${ago(5)}::timestamptz),
             (${RUN_NEW}::uuid, 'prod', 'cn-hangzhou', 'succeeded', null, null, ${ago(5)}::timestamptz),
             (${RUN_NEW}::uuid, 'prod', 'ap-southeast-1', 'failed', 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.', ${ago(5)}::timestamptz)`);
    await h.db.execute(sql`insert into swas.region_states (account, region_id, last_complete_listing_at, last_sync_run_id, last_status, updated_at)
      values ('prod', 'cn-hangzhou', ${ago(5)}::timestamptz, ${RUN_NEW}::uuid, 'succeeded', ${ago(5)}::timestamptz),
             ('prod', 'cn-beijing', ${ago(120)}::timestamptz, ${RUN_NEW}::uuid, 'failed', ${ago(5)}::timestamptz),
             ('prod', 'ap-southeast-1', null, ${RUN_NEW}::uuid, 'failed', ${ago(5)}::timestamptz)`);
  });
  afterAll(async () => h?.close());

  const run = (args: string[], terminal = tty(200)) =>
    runReportCommand(h, ['status', ...args], { terminal, now: NOW, schedule: { cron: '*/15 * * * *', tz: 'UTC' } });

  it('json: each region judged against twice the schedule interval (30 min); exit 1 when any is stale', async () => {
    const { out, exitCode } = await run(['--format', 'json']);
    expect(exitCode).toBe(1);
    const rows = JSON.parse(out) as Array<Record<string, unknown>>;
    expect(rows.map((r) => [r.regionId, r.freshness, r.stale, r.ageSeconds, r.lastOutcome, r.errorCode])).toEqual([
      ['ap-southeast-1', 'never_complete', true, null, 'failed', 'InvalidAccessKeyId.NotFound'],
      ['cn-beijing', 'stale', true, 7200, 'failed', 'Throttling.User'],
      ['cn-hangzhou', 'fresh', false, 300, 'succeeded', null],
    ]);
    expect(rows[1]).toEqual({
      account: 'prod', regionId: 'cn-beijing', freshness: 'stale', stale: true, lastCompleteListingAt: ago(120), ageSeconds: 7200,
      staleAfterSeconds: 1800, lastOutcome: 'failed', lastAttemptAt: ago(5), lastSyncRunId: RUN_NEW,
      errorCode: 'Throttling.User', errorMessage: 'Request was denied due to user flow control.',
    });
  });

  it('table at 80 and 200 columns (golden), csv parses back to the json', async () => {
    const narrow = await run([], tty(80));
    expect(narrow.exitCode).toBe(1);
    await expect(narrow.out).toMatchFileSnapshot('./golden/status.table-80.txt');
    await expect((await run([], tty(200))).out).toMatchFileSnapshot('./golden/status.table-200.txt');
    const csv = await run(['--format', 'csv']);
    await expect(csv.out).toMatchFileSnapshot('./golden/status.csv');
    const json = JSON.parse((await run(['--format', 'json'])).out) as Array<Record<string, unknown>>;
    expect(parse(csv.out, { columns: true })).toEqual(csvRecordsOf(json));
  });

  it('only fresh regions: exit 0; --max-age overrides the schedule', async () => {
    expect((await run(['--region', 'cn-hangzhou'])).exitCode).toBe(0);
    const lenient = await run(['--region', 'cn-beijing', '--max-age', '3h', '--format', 'json']);
    expect(lenient.exitCode).toBe(0);
    expect((JSON.parse(lenient.out) as Array<{ freshness: string }>)[0]?.freshness).toBe('fresh');
    const strict = await run(['--region', 'cn-hangzhou', '--max-age', '1m']);
    expect(strict.exitCode).toBe(1);
    expect(strict.out).toContain('1 of 1 region stale (stale: no complete listing in the last 1m)');
  });

  it('nothing synced yet: not fresh either (exit 1)', async () => {
    const empty = await createTestDatabase('postgres');
    try {
      const { out, exitCode } = await runReportCommand(empty, ['status', '--account', 'nobody'], { terminal: tty(200), now: NOW });
      expect(exitCode).toBe(1);
      expect(out).toBe('(none)\nno region has been synced yet\n');
    } finally {
      await empty.close();
    }
  });

  it('an account never synced in a database that has synced others is a typo, not "nothing synced yet"', async () => {
    await expect(run(['--account', 'nobody'])).rejects.toThrow("unknown account 'nobody': the database has never recorded it (known: prod)");
  });

  it('a bad --max-age is a usage error', async () => {
    const { exitCode, err } = await run(['--max-age', 'forever']);
    expect(exitCode).toBe(2);
    expect(err).toMatch(/bad duration 'forever'/);
  });
});
