/**
 * The guard for postgres.js's dropped array-types rejection (src/db/driver-defects.ts), in real
 * processes against real Postgres: the bare driver dies of it (so the reproduction reproduces),
 * the product's connection survives it with one line, and any other unhandled rejection still
 * ends the process.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isArrayTypesFetchFailure } from '../../src/db/driver-defects.js';
import { createTestDatabaseUrl } from '../helpers/databases.js';

const FIXTURE = resolve(import.meta.dirname, 'fixtures/types-fetch-fails.ts');
const TYPES_QUERY = `
      select b.oid, b.typarray
      from pg_catalog.pg_type a
      left join pg_catalog.pg_type b on b.oid = a.typelem
      where a.typcategory = 'A'
      group by b.oid, b.typarray
      order by b.oid
    `;

describe('postgres.js array-types defect', () => {
  it('recognizes the internal query by its text only', () => {
    const failure = Object.defineProperty(new Error('read ECONNRESET'), 'query', { value: TYPES_QUERY, enumerable: false });
    expect(isArrayTypesFetchFailure(failure)).toBe(true);
    expect(isArrayTypesFetchFailure(Object.assign(new Error('x'), { query: 'select * from swas.custom_images' }))).toBe(false);
    expect(isArrayTypesFetchFailure(new Error('read ECONNRESET'))).toBe(false);
    expect(isArrayTypesFetchFailure(null)).toBe(false);
    expect(isArrayTypesFetchFailure('read ECONNRESET')).toBe(false);
  });

  it('the bare driver dies of it; the product survives it with one line; another rejection still kills', async () => {
    const db = await createTestDatabaseUrl();
    try {
      const run = (mode: string) => spawnSync(process.execPath, ['--import', 'tsx', FIXTURE, db.url, mode], { encoding: 'utf8', timeout: 60_000 });
      const bare = run('bare');
      expect(bare.status, bare.stderr).toBe(1);
      expect(bare.stdout).not.toContain('alive');
      expect(bare.stderr).toContain('57014');

      const guarded = run('guarded');
      expect(guarded.status, guarded.stderr).toBe(0);
      expect(guarded.stdout).toBe('alive\n');
      expect(guarded.stderr.trim().split('\n')).toEqual([
        'swas-inventory: a new Postgres connection failed while the driver read its type catalog (57014); ignored, the driver re-opens it (porsager/postgres#1192)',
      ]);

      const other = run('other');
      expect(other.status).toBe(1);
      expect(other.stdout).not.toContain('alive');
      expect(other.stderr).toContain('an unrelated bug');
    } finally {
      await db.drop();
    }
  }, 120_000);
});
