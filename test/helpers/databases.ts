/**
 * Each test file gets its own database: a clone of the migrated template on Postgres, or a fresh
 * in-memory PGlite loaded from the migrated cluster global setup dumped. `backends()` lists the ones to run a suite on, so the same suite proves both.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import postgres from 'postgres';
import { inject } from 'vitest';
import { openDatabase } from '../../src/db/open-database.js';
import type { DatabaseHandle, DatabaseKind } from '../../src/db/database.js';
import { withDatabase } from './global-setup.js';

/** Fails the calling test with a message saying how to provide Postgres, when there is none. */
export function requirePostgres(): void {
  const problem = inject('pgProblem');
  if (problem) throw new Error(problem);
}

/** Creates a fresh, migrated database of the given kind; `close()` also drops it. */
export async function createTestDatabase(kind: DatabaseKind = 'postgres'): Promise<DatabaseHandle> {
  if (kind === 'pglite') return openDatabase({ dataDir: 'memory://', loadDataDir: pgliteTemplate() });
  requirePostgres();
  const adminUrl = inject('pgAdminUrl');
  const template = inject('pgTemplate');
  const name = `swas_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name} template ${template}`);
  const handle = await openDatabase({ databaseUrl: withDatabase(adminUrl, name), maxConnections: 5 });
  const close = handle.close;
  return {
    ...handle,
    close: async () => {
      await close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** The URL of a fresh, migrated Postgres database, for tests that start processes (CLI, workers). */
export async function createTestDatabaseUrl(): Promise<{ url: string; drop: () => Promise<void> }> {
  requirePostgres();
  const adminUrl = inject('pgAdminUrl');
  const name = `swas_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name} template ${inject('pgTemplate')}`);
  return {
    url: withDatabase(adminUrl, name),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

let template: Blob | undefined;

/** The migrated PGlite cluster global setup dumped, read once per test file. */
function pgliteTemplate(): Blob {
  template ??= new Blob([readFileSync(inject('pgliteTemplate'))]);
  return template;
}

/**
 * Makes `dataDir` a PGlite folder holding the migrated cluster, for tests of the embedded database
 * on disk: the template unpacked (a plain tar of the cluster's files), where opening a new folder
 * and migrating it took a PGlite start and every migration (tens of seconds on a loaded machine).
 */
export function createMigratedDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  // Its members are absolute (/base/...); tar extracts them under -C (and says so on stderr, ignored).
  execFileSync('tar', ['-xf', inject('pgliteTemplate'), '-C', dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
}

export const backends = (): DatabaseKind[] => ['pglite', 'postgres'];
