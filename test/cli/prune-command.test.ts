/**
 * `swas-inventory prune` through the real entry point (issue 14), on DATABASE_URL and on the
 * embedded default (PGlite under SWAS_DATA_DIR, behind its data-dir lock): one summary line, the
 * dry run changes nothing, the real run removes what the dry run announced, SWAS_RETENTION_DAYS=0
 * keeps everything, bad values are exit 2 with one line naming them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows, type DatabaseHandle } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/open-database.js';
import { pruneRuns } from '../../src/sync/prune-runs.js';
import { createMigratedDataDir, createTestDatabaseUrl } from '../helpers/databases.js';
import { writeRunHistory } from '../helpers/run-history-fixture.js';
import { runCommand } from '../helpers/cli.js';

const tableCounts = async (h: DatabaseHandle) => (await queryRows<{ runs: number; regions: number; events: number; versions: number }>(h.db, sql`select
  (select count(*) from swas.sync_runs)::int as runs, (select count(*) from swas.region_syncs)::int as regions,
  (select count(*) from swas.image_events)::int as events, (select count(*) from swas.custom_image_versions)::int as versions`))[0]!;

/** Writes the fixture, returns its counts and what a 90-day prune would remove, and closes the handle. */
async function prepare(h: DatabaseHandle) {
  try {
    await writeRunHistory(h.db);
    const expected = await pruneRuns(h.db, { olderThanDays: 90, dryRun: true });
    expect(expected.syncRuns).toBeGreaterThan(0);
    return { before: await tableCounts(h), expected };
  } finally {
    await h.close();
  }
}

const summary = (verb: string, runs: number, regions: number) =>
  new RegExp(`^prune ${verb} ${runs} sync_runs and ${regions} region_syncs rows of runs started before \\S+ in \\d+ batch\\(es\\); kept 2 older run\\(s\\) that recorded changes\\n$`);

describe('prune command', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => { for (const c of cleanups.splice(0)) await c(); });

  it('on DATABASE_URL: the dry run changes nothing, the real run removes what it announced, 0 keeps everything', async () => {
    const { url, drop } = await createTestDatabaseUrl();
    cleanups.push(drop);
    const { before, expected } = await prepare(await openDatabase({ databaseUrl: url }));
    const env = { DATABASE_URL: url };

    const [dry, keepAll, badEnv, badOption] = await Promise.all([
      runCommand(['prune', '--dry-run'], env),
      runCommand(['prune'], { ...env, SWAS_RETENTION_DAYS: '0' }),
      runCommand(['prune'], { ...env, SWAS_RETENTION_DAYS: 'ninety' }),
      runCommand(['prune', '--older-than', '-3'], env),
    ]);
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(dry.stdout).toMatch(summary('would remove', expected.syncRuns, expected.regionSyncs));
    expect(keepAll).toMatchObject({ code: 0, stderr: '' });
    expect(keepAll.stdout).toMatch(/^prune: SWAS_RETENTION_DAYS is 0 \(keep everything\): nothing removed/);
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toMatch(/\n {2}- SWAS_RETENTION_DAYS: must be a whole number between 0 and 36500\n$/);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr.split('\n')[0]).toMatch(/^error: option '--older-than <days>' argument '-3' is invalid\. must be a whole number of days/);
    const check = await openDatabase({ databaseUrl: url });
    try {
      expect(await tableCounts(check)).toEqual(before);
    } finally {
      await check.close();
    }

    const real = await runCommand(['prune', '--batch-size', '10'], env);
    expect(real).toMatchObject({ code: 0, stderr: '' });
    expect(real.stdout).toMatch(summary('removed', expected.syncRuns, expected.regionSyncs));
    const after = await openDatabase({ databaseUrl: url });
    try {
      expect(await tableCounts(after)).toEqual({ ...before, runs: before.runs - expected.syncRuns, regions: before.regions - expected.regionSyncs });
    } finally {
      await after.close();
    }
  }, 180_000);

  it('on the embedded database: prunes under the data-dir lock', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'swas-prune-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    createMigratedDataDir(join(dataDir, 'pgdata'));
    const { before, expected } = await prepare(await openDatabase({ dataDir: join(dataDir, 'pgdata') }));
    const env = { DATABASE_URL: '', SWAS_DATA_DIR: dataDir };

    const real = await runCommand(['prune', '--older-than', '90'], env);
    expect(real).toMatchObject({ code: 0, stderr: '' });
    expect(real.stdout).toMatch(summary('removed', expected.syncRuns, expected.regionSyncs));
    const after = await openDatabase({ dataDir: join(dataDir, 'pgdata') });
    try {
      expect(await tableCounts(after)).toEqual({ ...before, runs: before.runs - expected.syncRuns, regions: before.regions - expected.regionSyncs });
    } finally {
      await after.close();
    }
  }, 180_000);
});
