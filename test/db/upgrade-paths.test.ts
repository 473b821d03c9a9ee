// @long-running: six historical schemas migrated, on both back ends
/**
 * Upgrades converge: a database migrated with any historical migration set (0002 was edited in
 * place five times before migrations became append-only) that holds history and was upgraded to HEAD has exactly the schema of a fresh database: tables, columns, views'
 * definitions, functions, triggers, indexes, constraints and grants (pg_catalog).
 *
 * The historical sets are committed under test/fixtures/migration-history so the test needs no
 * git at run time; when git history is there, a second test checks that every migration set git
 * ever held is either a prefix of HEAD's or one of those fixtures.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { sql } from 'drizzle-orm';
import { generateSeed, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import type { Account } from '../../src/config/accounts.js';
import { loadConfig } from '../../src/config/env.js';
import { SwasClients } from '../../src/cloud/swas-client.js';
import { queryRows, type DatabaseHandle, type DatabaseKind } from '../../src/db/database.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { openDatabase } from '../../src/db/open-database.js';
import { packageRoot } from '../../src/db/package-root.js';
import { silentLogger } from '../../src/ops/logger.js';
import { runSync } from '../../src/sync/run-sync.js';
import { backends, requirePostgres } from '../helpers/databases.js';
import { withDatabase } from '../helpers/global-setup.js';
import { schemaFingerprint } from '../helpers/schema-fingerprint.js';
import { writeScriptedHistory } from '../reports/helpers/scripted-history.js';

const HISTORY = join(packageRoot(), 'test', 'fixtures', 'migration-history');
const SETS = readdirSync(HISTORY).sort();
const REGIONS = ['cn-hangzhou', 'cn-shanghai'];

/** An empty database (not the migrated template); `close()` drops it. */
async function emptyDatabase(kind: DatabaseKind): Promise<DatabaseHandle> {
  if (kind === 'pglite') return openDatabase({ dataDir: 'memory://' });
  requirePostgres();
  const adminUrl = inject('pgAdminUrl');
  const name = `swas_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const handle = await openDatabase({ databaseUrl: withDatabase(adminUrl, name), maxConnections: 2 });
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

describe.each(backends())('upgrading from every historical migration set on %s', (kind) => {
  let emu: EmulatorHandle;
  let fresh: string[];
  let sync: (h: DatabaseHandle) => Promise<string>;

  beforeAll(async () => {
    emu = await startEmulator({ seed: generateSeed({ accounts: 1, regions: REGIONS, imagesPerRegion: 4, seed: 5 }) });
    const config = loadConfig({ SWAS_ENDPOINT: emu.url, SWAS_REGIONS: REGIONS.join(',') });
    const key = emu.accounts[0]!;
    const clients = new SwasClients({ config, env: { T_AK: key.accessKeyId, T_SK: key.accessKeySecret } });
    const account: Account = { name: 'default', credentials: { type: 'access_key', accessKeyIdEnv: 'T_AK', accessKeySecretEnv: 'T_SK' }, regions: { allow: null, deny: [] }, callsPerSecond: 100 };
    sync = async (h) => (await runSync({ db: h.db, clients, config, accounts: [account], log: silentLogger() }, {})).summary.status;
    const h = await emptyDatabase(kind);
    try {
      await migrateDatabase(h);
      fresh = await schemaFingerprint(h.db);
    } finally {
      await h.close();
    }
  }, 180_000);
  afterAll(async () => { await emu?.stop(); });

  it.each(SETS)('from %s: migrate, write history, upgrade to HEAD = a fresh database; then sync and the reports work', async (set) => {
    const h = await emptyDatabase(kind);
    try {
      await migrateDatabase(h, join(HISTORY, set));
      // History written as that era's sync wrote it (base tables only: today's sync code needs
      // today's schema), then upgraded, then a real sync with this code on top.
      await writeScriptedHistory(h.db);
      await migrateDatabase(h);
      expect(await schemaFingerprint(h.db)).toEqual(fresh);
      expect(await sync(h)).toBe('succeeded');
      // What failed on every call after such an upgrade (`column i.tag_list does not exist`).
      const asOf = await queryRows<{ n: number; open: number }>(h.db, sql`select
        (select count(*)::int from swas.images_as_of(now()) where tag_list is not null) as n,
        (select count(*)::int from swas.custom_image_versions where valid_to is null) as open`);
      expect(asOf[0]!.n).toBe(asOf[0]!.open);
      expect(asOf[0]!.n).toBeGreaterThanOrEqual(REGIONS.length * 4);
      // A second upgrade is a no-op that leaves it identical.
      await migrateDatabase(h);
      expect(await schemaFingerprint(h.db)).toEqual(fresh);
    } finally {
      await h.close();
    }
  }, 180_000);
});

describe('the fixtures cover git history', () => {
  const gitAt = (args: string[]): string => execFileSync('git', args, { cwd: packageRoot(), encoding: 'utf8' });
  let hasGit = true;
  try { gitAt(['rev-parse', '--is-inside-work-tree']); } catch { hasGit = false; }

  it.runIf(hasGit)('every migration set in `git log -- migrations` is a prefix of HEAD or a fixture', () => {
    const sqlFiles = (listing: string) => listing.split('\n').filter((l) => l.endsWith('.sql'));
    const head = new Map(sqlFiles(gitAt(['ls-tree', '-r', 'HEAD', '--', 'migrations'])).map((l) => [l.split('\t')[1]!, l.split(/\s+/)[2]!]));
    const fixtures = SETS.map((set) => readdirSync(join(HISTORY, set)).filter((f) => f.endsWith('.sql'))
      .map((f) => `${f}:${readFileSync(join(HISTORY, set, f), 'utf8')}`).sort().join('\n'));
    const commits = gitAt(['log', '--format=%H', '--', 'migrations']).split('\n').filter(Boolean);
    expect(commits.length).toBeGreaterThan(0);
    for (const commit of commits) {
      const files = sqlFiles(gitAt(['ls-tree', '-r', commit, '--', 'migrations'])).map((l) => ({ path: l.split('\t')[1]!, blob: l.split(/\s+/)[2]! }));
      if (files.every((f) => head.get(f.path) === f.blob)) continue;
      const content = files.map((f) => `${f.path.replace('migrations/', '')}:${gitAt(['cat-file', 'blob', f.blob])}`).sort().join('\n');
      expect(fixtures.includes(content), `migrations at ${commit} have no fixture under test/fixtures/migration-history`).toBe(true);
    }
  }, 60_000);
});
