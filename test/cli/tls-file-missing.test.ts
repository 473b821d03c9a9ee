/**
 * A CA file that a setting names but that is not there (a secret not mounted, a typo): one line
 * naming the setting and the file, exit 2 (a bad environment variable, as the README's table says), nothing else printed (issue 20; it was Node's bare
 * `ENOENT: no such file or directory, open '...'`, naming neither). Nothing is reached: the file is
 * read before any connection opens, so no server is needed.
 */
import { describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/cli.js';

const MISSING = '/nonexistent-swas-dir/ca.pem';

describe('a CA file that cannot be read', () => {
  it.each([
    ['PGSSLROOTCERT, for a report', ['runs'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', PGSSLROOTCERT: MISSING }, 'PGSSLROOTCERT'],
    ['PGSSLROOTCERT, for migrate', ['migrate'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', PGSSLROOTCERT: MISSING }, 'PGSSLROOTCERT'],
    ['sslrootcert= in DATABASE_URL', ['runs'], { DATABASE_URL: `postgres://postgres@127.0.0.1:5432/postgres?sslmode=verify-full&sslrootcert=${MISSING}` }, 'sslrootcert in DATABASE_URL'],
    ['REDIS_CA_FILE, for enqueue', ['enqueue'], { REDIS_URL: 'rediss://127.0.0.1:6379', REDIS_CA_FILE: MISSING }, 'REDIS_CA_FILE'],
  ])('%s: one line naming the setting and the file, exit 2', async (_what, args, env, setting) => {
    const out = await runCommand(args, env);
    expect(out, out.stderr).toMatchObject({ code: 2, stdout: '' });
    expect(out.stderr).toBe(`swas-inventory: ${setting}: cannot read ${MISSING} (ENOENT)\n`);
  });
});
