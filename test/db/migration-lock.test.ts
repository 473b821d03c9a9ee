/**
 * Rolling upgrades: versions before 3cb1c43 serialized migrations with a SESSION advisory lock
 * (`pg_advisory_lock(7360241117)` on a connection of their own); this one takes the same key as a
 * TRANSACTION lock (PgBouncer in transaction mode keeps only that). Both are the same lock in
 * Postgres, so while an older process is migrating, a newer `migrate` (or worker start) waits for
 * it instead of migrating beside it; it must not ignore the old lock. Checked from pg_locks, not
 * from timing: the new migrator's lock request is seen waiting, and it finishes once released.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../../src/db/migrate.js';
import { openDatabase } from '../../src/db/open-database.js';
import { createTestDatabaseUrl } from '../helpers/databases.js';
import { waitFor } from '../helpers/wait.js';

/** The key the older versions locked, as they wrote it (src/db/migrate.ts before 3cb1c43). */
const OLD_MIGRATION_LOCK = 7_360_241_117;

describe('the migration lock across versions', () => {
  let database: { url: string; drop: () => Promise<void> };
  beforeAll(async () => { database = await createTestDatabaseUrl(); });
  afterAll(async () => { await database?.drop(); });

  it('an older version holding its session lock makes migrate wait, not run beside it', async () => {
    const older = postgres(database.url, { max: 1, onnotice: () => {} });
    const handle = await openDatabase({ databaseUrl: database.url, maxConnections: 1 });
    try {
      await older.unsafe(`select pg_advisory_lock(${OLD_MIGRATION_LOCK})`);
      let finished = false;
      const migrating = migrateDatabase(handle).then(() => { finished = true; });
      const waiting = async () => {
        const [row] = await older<{ n: number }[]>`select count(*)::int as n from pg_locks
          where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())`;
        return row?.n === 1;
      };
      await waitFor('migrate to wait for the older version\'s lock', waiting, 30_000, 50);
      expect(finished).toBe(false);
      await older.unsafe(`select pg_advisory_unlock(${OLD_MIGRATION_LOCK})`);
      await migrating;
      expect(finished).toBe(true);
    } finally {
      await older.end({ timeout: 5 });
      await handle.close();
    }
  });
});
