/**
 * One database handle type for both back ends: embedded PGlite (the zero-install default) and
 * PostgreSQL through postgres.js. Sync, report and worker code take a `Db` (or a transaction, which
 * is a `Db` too) and never know which one they talk to.
 */
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { SQL } from 'drizzle-orm';
import type * as schema from './schema.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type DatabaseKind = 'pglite' | 'postgres';

export interface DatabaseHandle {
  db: Db;
  kind: DatabaseKind;
  /** Where the data lives: the PGlite folder, or the Postgres URL with any password masked. */
  location: string;
  /** The Postgres URL (never logged; `location` is the masked form). Undefined for PGlite. */
  url?: string;
  close(): Promise<void>;
}

/** Runs raw SQL and returns its rows; hides the drivers' different result shapes. */
export async function queryRows<T extends Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

