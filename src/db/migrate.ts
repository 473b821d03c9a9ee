import { sql } from 'drizzle-orm';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import postgres from 'postgres';
import type { DatabaseHandle } from './database.js';
import { migrationsFolder } from './package-root.js';
import { readSettingFile } from '../config/read-setting-file.js';
import { postgresClientSettings } from './postgres-options.js';

/** An arbitrary constant: the advisory lock that serializes migrations across processes. */
const MIGRATION_LOCK = 7_360_241_117;

/**
 * Applies the committed migrations. Several workers may start at once against one Postgres, so
 * the migrator runs inside ONE transaction that first takes a transaction-scoped advisory lock:
 * a PgBouncer in transaction mode keeps a transaction on one server connection, where a session
 * lock (taken, then released by a later statement) would land on whichever connection the
 * pooler hands out. The second process waits for the first to commit, then finds every migration
 * recorded (drizzle's bookkeeping) and applies nothing. drizzle's own migration transaction runs
 * nested, as a savepoint (postgres.js 4). `folder` is for the upgrade tests, which apply
 * historical migration sets first.
 */
export async function migrateDatabase(handle: DatabaseHandle, folder: string = migrationsFolder()): Promise<void> {
  const config = { migrationsFolder: folder };
  if (handle.kind === 'pglite' || !handle.url) {
    await migratePglite(handle.db as unknown as PgliteDatabase<Record<string, never>>, config);
    return;
  }
  const settings = postgresClientSettings(handle.url, 1);
  for (const file of settings.files) readSettingFile(file.setting, file.path);
  // A migration may rewrite a large table, and a second migrator waits for the first to commit:
  // no per-query limit here, nor an answer deadline (src/db/answer-deadline.ts): a lock wait sends
  // nothing back for as long as it waits. The handshake stays bounded.
  const { socket: _answerDeadline, ...options } = settings.options;
  const client = postgres(settings.url, { ...options, query_timeout: 0 });
  try {
    await drizzle(client).transaction(async (tx) => {
      await tx.execute(sql.raw(`select pg_advisory_xact_lock(${MIGRATION_LOCK})`));
      await migratePostgres(tx as unknown as PostgresJsDatabase, config);
    });
  } finally {
    await client.end({ timeout: 5 });
  }
}
