/**
 * Whether a database has every migration this code ships. Report commands check this instead of
 * migrating: a read-only login cannot migrate, and a report should not change a schema anyway.
 * drizzle applies the journal entries newer than the newest `created_at` it recorded, so that
 * stamp against the journal's last `when` is exactly "would migrate do anything".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from './database.js';
import { findDatabaseError } from './find-database-error.js';
import { migrationsFolder } from './package-root.js';

/** The database lacks migrations this code needs; `migrate` (as the schema owner) fixes it. */
export class SchemaBehindError extends Error {
  override name = 'SchemaBehindError';
  readonly code = 'SchemaBehind';
  constructor(detail: string) {
    super(`the database schema is behind this version of swas-inventory (${detail}): run \`swas-inventory migrate\``);
  }
}

interface Journal { entries: Array<{ tag: string; when: number }> }

export function shippedMigrations(folder: string = migrationsFolder()): Journal['entries'] {
  return (JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as Journal).entries;
}

/** Resolves when the schema is current; throws SchemaBehindError when `migrate` has work to do. */
export async function assertSchemaCurrent(db: Db, folder: string = migrationsFolder()): Promise<void> {
  const entries = shippedMigrations(folder);
  const latest = entries.at(-1);
  if (!latest) return;
  let newest: number;
  try {
    const rows = await queryRows<{ newest: string | number | null }>(db, sql`select max(created_at) as newest from drizzle.__drizzle_migrations`);
    newest = Number(rows[0]?.newest ?? 0);
  } catch (err) {
    const code = findDatabaseError(err)?.code;
    // No journal table (or schema) at all: never migrated.
    if (code === '42P01' || code === '3F000') throw new SchemaBehindError('no migration applied yet');
    if (code === '42501') throw new SchemaBehindError('this login may not read drizzle.__drizzle_migrations, which the latest migrations grant to swas_reader');
    throw err;
  }
  const missing = entries.filter((e) => e.when > newest);
  if (missing.length > 0) {
    throw new SchemaBehindError(`${missing.length} of ${entries.length} migrations not applied, the newest being ${latest.tag}`);
  }
}
