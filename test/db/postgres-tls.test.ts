/**
 * TLS to Postgres with a private CA, the documented way (docs/DEPLOYMENT.md): DATABASE_URL with
 * `sslmode=verify-full` and PGSSLROOTCERT naming the CA file (or `sslrootcert=` in the URL). The
 * test makes its own CA and a server certificate for `localhost` (openssl), and a private Postgres
 * cluster serving it (`-c ssl=on`). A wrong CA or a host name the certificate does not name is
 * refused in one line naming PostgreSQL and the TLS reason, exit 1.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/open-database.js';
import { USER_ENV, runProcess } from '../helpers/processes.js';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-services.js';
import { makeCertificates } from '../helpers/tls-certificates.js';

/** The built program as a real process, as a user's shell starts it. */
const run = (args: string[], env: Record<string, string | undefined>) => runProcess(args, { ...USER_ENV, ...env });

describe('Postgres over TLS with a private CA', () => {
  let dir: string;
  let otherDir: string;
  let pg: PrivatePostgres;
  const url = (host: string, query = 'sslmode=verify-full') => `postgres://postgres@${host}:${pg.port}/postgres?${query}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'swas-pgtls-'));
    otherDir = mkdtempSync(join(tmpdir(), 'swas-pgtls-other-'));
    await makeCertificates(dir, 'swas test CA');
    await makeCertificates(otherDir, 'some other CA');
    pg = await startPrivatePostgres({ tls: { cert: readFileSync(join(dir, 'server.crt'), 'utf8'), key: readFileSync(join(dir, 'server.key'), 'utf8') } });
  }, 120_000);

  afterAll(async () => {
    await pg?.destroy();
    rmSync(dir, { recursive: true, force: true });
    rmSync(otherDir, { recursive: true, force: true });
  });

  it('verify-full with PGSSLROOTCERT: migrate and a report work, over TLS', async () => {
    const env = { DATABASE_URL: url('localhost'), PGSSLROOTCERT: join(dir, 'ca.pem') };
    const migrated = await run(['migrate'], env);
    expect(migrated, migrated.stderr).toMatchObject({ code: 0 });
    expect(migrated.stderr).toMatch(/^migrations applied/);
    const runs = await run(['runs'], env);
    expect(runs, runs.stderr).toMatchObject({ code: 0, stderr: '' });

    // The same CA given in the URL instead; the server says the session is encrypted.
    const h = await openDatabase({ databaseUrl: url('localhost', `sslmode=verify-full&sslrootcert=${join(dir, 'ca.pem')}`), maxConnections: 1 });
    try {
      const [row] = await queryRows<{ ssl: boolean }>(h.db, sql`select ssl from pg_stat_ssl where pid = pg_backend_pid()`);
      expect(row?.ssl).toBe(true);
    } finally {
      await h.close();
    }
  }, 120_000);

  it('a certificate from another CA: one line naming PostgreSQL and the TLS reason, exit 1', async () => {
    const out = await run(['runs'], { DATABASE_URL: url('localhost'), PGSSLROOTCERT: join(otherDir, 'ca.pem') });
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    const lines = out.stderr.trim().split('\n');
    expect(lines, out.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/PostgreSQL/);
    expect(lines[0]).toMatch(/TLS/);
    expect(lines[0]).toMatch(/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify|self-signed/i);
  }, 60_000);

  it('a host name the certificate does not name: one line naming PostgreSQL and the TLS reason, exit 1', async () => {
    const out = await run(['runs'], { DATABASE_URL: url('127.0.0.1'), PGSSLROOTCERT: join(dir, 'ca.pem') });
    expect(out.code).toBe(1);
    const lines = out.stderr.trim().split('\n');
    expect(lines, out.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/PostgreSQL/);
    expect(lines[0]).toMatch(/TLS/);
    expect(lines[0]).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate/);
  }, 60_000);
});
