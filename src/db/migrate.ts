import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import postgres from 'postgres';
import type { DatabaseHandle } from './database.js';
import { migrationsFolder } from './package-root.js';

/** An arbitrary constant: the advisory lock that serializes migrations across processes. */
const MIGRATION_LOCK = 7_360_241_117;

/**
 * Applies the committed migrations. Several workers may start at once against one Postgres, so
 * the migrator runs under an advisory lock on a connection of its own (a session lock must be
 * released on the connection that took it); drizzle's bookkeeping makes a second run a no-op.
 * `folder` is for the upgrade tests, which apply historical migration sets first.
 */
export async function migrateDatabase(handle: DatabaseHandle, folder: string = migrationsFolder()): Promise<void> {
  const config = { migrationsFolder: folder };
  if (handle.kind === 'pglite' || !handle.url) {
    await migratePglite(handle.db as unknown as PgliteDatabase<Record<string, never>>, config);
    return;
  }
  const client = postgres(handle.url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migratePostgres(drizzle(client), config);
    await client`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}
