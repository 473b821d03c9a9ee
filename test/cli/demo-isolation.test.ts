/**
 * The demo never touches real data: pointed at a database holding a real account's inventory it
 * refuses (exit 2) before writing anything, and every real row and event stays byte-identical;
 * on a database of its own it runs, under the account `demo`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Account } from '../../src/config/accounts.js';
import { loadConfig } from '../../src/config/env.js';
import { SwasClients } from '../../src/cloud/swas-client.js';
import { queryRows, type DatabaseHandle } from '../../src/db/database.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { openDatabase } from '../../src/db/open-database.js';
import { generateSeed, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { silentLogger } from '../../src/ops/logger.js';
import { runSync } from '../../src/sync/run-sync.js';
import { createTestDatabaseUrl } from '../helpers/databases.js';
import { runCommand } from '../helpers/cli.js';

/** Every row of every table, as text: equal dumps mean nothing was written (or deleted). */
async function dump(h: DatabaseHandle): Promise<string> {
  const tables = await queryRows<{ t: string }>(h.db, sql`select table_name as t from information_schema.tables
    where table_schema = 'swas' and table_type = 'BASE TABLE' order by 1`);
  const parts: string[] = [];
  for (const { t } of tables) {
    const rows = await queryRows<{ r: string }>(h.db, sql.raw(`select (x.*)::text as r from swas.${t} as x order by 1`));
    parts.push(`${t}:${rows.map((r) => r.r).join('\n')}`);
  }
  return parts.join('\n--\n');
}

describe('sync --demo isolation', () => {
  let emu: EmulatorHandle;
  let database: { url: string; drop: () => Promise<void> };
  let h: DatabaseHandle;

  beforeAll(async () => {
    // A real account's inventory, synced the ordinary way, under the account name `default`.
    emu = await startEmulator({ seed: generateSeed({ accounts: 1, regions: ['cn-hangzhou', 'cn-beijing'], imagesPerRegion: 5, seed: 3 }) });
    database = await createTestDatabaseUrl();
    h = await openDatabase({ databaseUrl: database.url, maxConnections: 2 });
    await migrateDatabase(h);
    const config = loadConfig({ SWAS_ENDPOINT: emu.url, SWAS_REGIONS: 'cn-hangzhou,cn-beijing', LOG_LEVEL: 'silent' });
    const account: Account = { name: 'default', credentials: { type: 'access_key', accessKeyIdEnv: 'R_AK', accessKeySecretEnv: 'R_SK' }, regions: { allow: null, deny: [] }, callsPerSecond: 100 };
    const clients = new SwasClients({ config, env: { R_AK: emu.accounts[0]!.accessKeyId, R_SK: emu.accounts[0]!.accessKeySecret } });
    const report = await runSync({ db: h.db, clients, config, accounts: [account], log: silentLogger() });
    expect(report.summary.status).toBe('succeeded');
  });
  afterAll(async () => {
    await h?.close();
    await database?.drop();
    await emu?.stop();
  });

  it('refuses a database with real data, naming it, and leaves every row and event byte-identical', async () => {
    const before = await dump(h);
    const dataDir = mkdtempSync(join(tmpdir(), 'swas-demo-'));
    const res = await runCommand(['sync', '--demo'], { DATABASE_URL: database.url, SWAS_DATA_DIR: dataDir });
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toContain('sync --demo refuses to write into the postgres database');
    expect(res.stderr).toContain('inventory of account(s) default');
    expect(res.stderr).not.toContain('\n    at '); // one line, no stack
    expect(await dump(h)).toBe(before);
  });

  it('runs in a database with no real data (here an empty Postgres one), under the account `demo`', async () => {
    const empty = await createTestDatabaseUrl();
    try {
      const dataDir = mkdtempSync(join(tmpdir(), 'swas-demo-'));
      const res = await runCommand(['sync', '--demo', '--json'], { DATABASE_URL: empty.url, SWAS_DATA_DIR: dataDir });
      expect(res.code, res.stderr).toBe(0);
      const report = JSON.parse(res.stdout) as { status: string; regions: Array<{ account: string; throttles: number }> };
      expect(report.status).toBe('succeeded');
      // The demo's gateway (3 calls/s) is below the sync's budget (5/s): throttled, absorbed, counted.
      expect(report.regions.reduce((n, r) => n + r.throttles, 0)).toBeGreaterThan(0);
      expect(new Set(report.regions.map((r) => r.account))).toEqual(new Set(['demo']));
    } finally {
      await empty.drop();
    }
  }, 90_000);
});
