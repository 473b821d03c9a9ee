/**
 * The documented read-only role, end to end (issue 14): a login that is only a member of
 * swas_reader runs `images`, `history`, `report` and `runs` (every report command used to migrate
 * first and fail with "permission denied for database", and `runs` read base tables). Reports
 * check the schema version instead, and a database behind this code says "run migrate".
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open-database.js';
import { runCommand } from '../helpers/cli.js';
import { createTestDatabaseUrl } from '../helpers/databases.js';
import { writeScriptedHistory } from './helpers/scripted-history.js';

describe('report commands as a swas_reader login (postgres)', () => {
  let db: { url: string; drop: () => Promise<void> };
  let readerUrl: string;
  const login = `swas_ro_${randomBytes(4).toString('hex')}`;
  let owner: postgres.Sql;

  beforeAll(async () => {
    db = await createTestDatabaseUrl();
    const h = await openDatabase({ databaseUrl: db.url, maxConnections: 1 });
    try {
      await writeScriptedHistory(h.db);
    } finally {
      await h.close();
    }
    owner = postgres(db.url, { max: 1, onnotice: () => {} });
    await owner.unsafe(`create role ${login} login password 'ro-secret' in role swas_reader`);
    const u = new URL(db.url);
    u.username = login;
    u.password = 'ro-secret';
    readerUrl = u.toString();
  });
  afterAll(async () => {
    await owner?.unsafe(`drop owned by ${login}`).catch(() => undefined);
    await db?.drop();
    await owner?.unsafe(`drop role if exists ${login}`).catch(() => undefined);
    await owner?.end();
  });

  const env = () => ({ DATABASE_URL: readerUrl, LOG_LEVEL: 'warn' });

  it.each([
    ['images', ['images', '--format', 'json']],
    ['images --as-of', ['images', '--as-of', '2026-01-04T12:00:00Z', '--format', 'json']],
    ['history', ['history', '--format', 'json']],
    ['report', ['report', '--format', 'json']],
    ['runs', ['runs', '--format', 'json']],
  ])('%s works and returns rows', async (_name, args) => {
    const res = await runCommand(args, env());
    expect(res.stderr).not.toMatch(/permission denied/);
    expect(res.code, res.stderr).toBe(0);
    const doc = JSON.parse(res.stdout) as unknown;
    expect(JSON.stringify(doc).length).toBeGreaterThan(10);
  });

  it('a database behind this code: reports say "run migrate" in one line and write nothing', async () => {
    // The newest migration's journal row gone: the database looks one migration behind.
    const [row] = await owner`select max(created_at)::text as newest from drizzle.__drizzle_migrations`;
    await owner`delete from drizzle.__drizzle_migrations where created_at = ${row!.newest}`;
    try {
      const res = await runCommand(['images'], env());
      expect(res.code).toBe(1);
      const lines = res.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/schema is behind .*1 of \d+ migrations not applied.*run `swas-inventory migrate`/);
      const [after] = await owner`select count(*)::int as n from drizzle.__drizzle_migrations where created_at = ${row!.newest}`;
      expect(after!.n).toBe(0); // the report did not migrate
    } finally {
      await owner.unsafe(`insert into drizzle.__drizzle_migrations (hash, created_at) values ('restored-by-test', ${Number(row!.newest)})`);
    }
  });
});
