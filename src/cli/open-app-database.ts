import { join } from 'node:path';
import type { Config } from '../config/env.js';
import type { DatabaseHandle } from '../db/database.js';
import { describeHolder } from '../db/data-dir-lock.js';
import { migrateDatabase } from '../db/migrate.js';
import { openDatabase } from '../db/open-database.js';
import { probeDatabase } from '../db/probe-database.js';
import { assertSchemaCurrent } from '../db/schema-version.js';
import { EXIT_LOCK_LOST } from './exit-codes.js';

/**
 * The configured database (Postgres, or embedded PGlite under SWAS_DATA_DIR). `migrate: true`
 * applies the migrations (sync, worker, migrate); `false` only checks that none is missing, so
 * report commands work as a read-only login and say "run migrate" when the schema is behind.
 * `checkSchema: false` is for a caller that migrates itself once it has checked something first
 * (the demo refuses a database holding real data before writing anything, migrations included).
 */
export async function openAppDatabase(config: Config, opts: { migrate: boolean; checkSchema?: boolean }): Promise<DatabaseHandle> {
  const handle = await openDatabase({
    databaseUrl: config.databaseUrl ?? undefined,
    dataDir: join(config.dataDir, 'pgdata'),
    dataDirWaitMs: config.dataDirWaitMs,
    onDataDirWait: (holder) => {
      process.stderr.write(
        `swas-inventory: waiting up to ${Math.round(config.dataDirWaitMs / 1000)} s for the embedded database, ` +
        `in use by ${describeHolder(holder)}\n`,
      );
    },
    onDataDirLost: (err) => {
      process.stderr.write(`swas-inventory: lost the lock of the embedded database ${join(config.dataDir, 'pgdata')} (${err.message}); stopping (exit ${EXIT_LOCK_LOST})\n`);
      process.exit(EXIT_LOCK_LOST);
    },
  });
  await probeDatabase(handle);
  try {
    if (opts.migrate) await migrateDatabase(handle);
    else if (opts.checkSchema !== false) await assertSchemaCurrent(handle.db);
  } catch (err) {
    await handle.close();
    throw err;
  }
  return handle;
}
