// @long-running: seven processes take turns on one embedded folder; two stale-lock waits
/**
 * The embedded database under concurrent use by real processes: overlapping `sync`s (cron firing
 * while a manual one runs) and reports during a sync, all on one SWAS_DATA_DIR. One process at a
 * time holds the folder (src/db/data-dir-lock.ts); the others wait, then run. Judged exactly: no
 * duplicate keys, no duplicate event ids, the right number of events and runs, every report
 * complete. Then the bounded wait (a clear one-line refusal naming the holder), a live holder whose
 * lock refresh is late (waited for, never taken over) and a SIGKILLed holder (the folder is usable
 * again once its lock goes stale).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { generateSeed, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { queryRows } from '../../src/db/database.js';
import { STALE_MS } from '../../src/db/data-dir-lock.js';
import { openDatabase } from '../../src/db/open-database.js';
import { createMigratedDataDir } from '../helpers/databases.js';
import { launch, runProcess } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

const HOLD = 'test/fixtures/hold-data-dir.ts';
const REGIONS = ['cn-hangzhou', 'cn-shanghai'];
const PER_REGION = 40;

describe('the embedded database used by several processes at once', () => {
  let emu: EmulatorHandle;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  // Real processes (the built binary): one folder lock per process is the point.
  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runProcess(args, { ...env, ...extra });
  const holdFolder = async () => {
    const holder = launch([], env, { fixture: HOLD });
    await holder.output('held', 'stdout');
    return holder;
  };
  const inspect = async <T extends Record<string, unknown>>(query: string): Promise<T[]> => {
    const h = await openDatabase({ dataDir: join(dataDir, 'pgdata'), dataDirWaitMs: 60_000 });
    try {
      return await queryRows<T>(h.db, sql.raw(query));
    } finally {
      await h.close();
    }
  };

  beforeAll(async () => {
    emu = await startEmulator({ seed: generateSeed({ accounts: 1, regions: REGIONS, imagesPerRegion: PER_REGION, seed: 21 }) });
    dataDir = mkdtempSync(join(tmpdir(), 'swas-embedded-'));
    // Migrated already (the template unpacked): the processes' concurrency is the point, not a first migration.
    createMigratedDataDir(join(dataDir, 'pgdata'));
    const key = emu.accounts[0]!;
    env = {
      PATH: process.env.PATH ?? '', SWAS_DATA_DIR: dataDir, SWAS_ENDPOINT: emu.url, SWAS_REGIONS: REGIONS.join(','),
      ALIBABA_CLOUD_ACCESS_KEY_ID: key.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: key.accessKeySecret,
      SWAS_DATA_DIR_WAIT_MS: '240000', LOG_LEVEL: 'warn',
    };
  });
  afterAll(async () => {
    await emu?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('three overlapping syncs and reports during them: every one waits its turn, the result is exact', async () => {
    const first = await cli(['sync', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const total = REGIONS.length * PER_REGION;
    // Changes for the next syncs to find: exactly one of them records them, the others nothing.
    const changed = emu.images({}).slice(0, 7);
    for (const img of changed) emu.updateImage(img.imageId, { name: `${img.name}-renamed` });

    const runs = await Promise.all([
      cli(['sync', '--json']), cli(['images', '--format', 'json']), cli(['sync', '--json']),
      cli(['images', '--format', 'json']), cli(['runs', '--format', 'json']), cli(['sync', '--json']),
    ]);
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/\[object Object\]|Aborted\(\)/);
    }
    for (const report of [runs[1]!, runs[3]!]) {
      const rows = JSON.parse(report.stdout) as Array<{ imageId?: string; image_id?: string }>;
      const ids = rows.map((r) => r.imageId ?? r.image_id);
      expect(ids).toHaveLength(total);
      expect(new Set(ids).size).toBe(total);
    }

    const [keys] = await inspect<{ rows: number; distinct: number }>(
      `select count(*)::int as rows, count(distinct (account, image_id))::int as distinct from swas.custom_images`);
    expect(keys).toEqual({ rows: total, distinct: total });
    const [events] = await inspect<{ rows: number; distinct: number; updated: number; created: number }>(
      `select count(*)::int as rows, count(distinct id)::int as distinct,
              count(*) filter (where kind = 'updated')::int as updated, count(*) filter (where kind = 'created')::int as created
         from swas.image_events`);
    expect(events).toEqual({ rows: total + changed.length, distinct: total + changed.length, updated: changed.length, created: total });
    const [bookkeeping] = await inspect<{ runs: number; succeeded: number; regions: number; orphans: number; versions: number; open: number }>(
      `select (select count(*)::int from swas.sync_runs) as runs,
              (select count(*)::int from swas.sync_runs where status = 'succeeded') as succeeded,
              (select count(*)::int from swas.region_syncs) as regions,
              (select count(*)::int from swas.region_syncs s where not exists (select 1 from swas.sync_runs r where r.id = s.sync_run_id)) as orphans,
              (select count(*)::int from swas.custom_image_versions) as versions,
              (select count(*)::int from swas.custom_image_versions where valid_to is null) as open`);
    expect(bookkeeping).toEqual({ runs: 4, succeeded: 4, regions: 4 * REGIONS.length, orphans: 0, versions: total + changed.length, open: total });
  }, 600_000);

  it('a command that cannot get the folder in time refuses in one line naming the holder', async () => {
    const holder = await holdFolder();
    try {
      const r = await cli(['images', '--format', 'json'], { SWAS_DATA_DIR_WAIT_MS: '1500' });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(new RegExp(`^swas-inventory: waiting up to 2 s for the embedded database, in use by pid ${holder.child.pid} \\(swas-inventory\\)`));
      expect(lines[1]).toMatch(new RegExp(`^swas-inventory: the embedded database .*pgdata is in use by pid ${holder.child.pid} \\(swas-inventory\\) on .* since .*; gave up after 2 s`));
      expect(r.stderr).not.toMatch(/\[object Object\]|Aborted\(\)|^\s+at /m);
    } finally {
      holder.child.kill('SIGTERM');
      await holder.exited;
    }
  }, 180_000);

  it('a holder whose lock refresh is late (its process stopped, as a long PGlite call blocks its event loop) is waited for, not taken over', async () => {
    const holder = await holdFolder();
    const lock = join(dataDir, 'pgdata.lock');
    try {
      holder.child.kill('SIGSTOP');
      // The lock's age passes the stale time: a waiter going by age alone would take the folder.
      await waitFor('the stopped holder\'s lock to pass the stale time', () => Date.now() - statSync(lock).mtimeMs > STALE_MS + 1_000,
        { timeoutMs: STALE_MS * 6, pollMs: 250 });
      const r = await cli(['images', '--format', 'json'], { SWAS_DATA_DIR_WAIT_MS: '1500' });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`in use by pid ${holder.child.pid} \\(swas-inventory\\).*; gave up after 2 s`));
      // Resumed, the holder finds its lock its own: it goes on holding the folder instead of stopping with 70.
      holder.child.kill('SIGCONT');
      const refreshed = statSync(lock).mtimeMs;
      await waitFor('the resumed holder to refresh its lock', () => statSync(lock).mtimeMs > refreshed, { timeoutMs: 60_000, pollMs: 250 });
      expect(holder.exit()).toBeNull();
      expect(holder.stderr()).not.toMatch(/lost the lock/);
    } finally {
      holder.child.kill('SIGCONT');
      holder.child.kill('SIGTERM');
      await holder.exited;
    }
  }, 180_000);

  it('a holder killed with SIGKILL blocks the folder only until its lock goes stale', async () => {
    const holder = await holdFolder();
    holder.child.kill('SIGKILL');
    await holder.exited;
    const killedAt = Date.now();
    const h = await openDatabase({ dataDir: join(dataDir, 'pgdata'), dataDirWaitMs: 120_000 });
    const waited = Date.now() - killedAt;
    try {
      const [row] = await queryRows<{ n: number }>(h.db, sql`select count(*)::int as n from swas.custom_images`);
      expect(row!.n).toBe(REGIONS.length * PER_REGION);
    } finally {
      await h.close();
    }
    // Bounded by the stale time plus polling and a loaded machine's slack, not minutes.
    expect(waited).toBeLessThan(STALE_MS * 4);
  }, 180_000);
});
