import { join } from 'node:path';
import type { Config } from '../config/env.js';
import type { DatabaseHandle } from '../db/database.js';
import { migrateDatabase } from '../db/migrate.js';
import { openDatabase } from '../db/open-database.js';
import { probeDatabase } from '../db/probe-database.js';

/** The configured database (Postgres, or embedded PGlite under SWAS_DATA_DIR), migrated if asked. */
export async function openAppDatabase(config: Config, opts: { migrate: boolean }): Promise<DatabaseHandle> {
  const handle = await openDatabase({
    databaseUrl: config.databaseUrl ?? undefined,
    dataDir: join(config.dataDir, 'pgdata'),
  });
  await probeDatabase(handle);
  try {
    if (opts.migrate) await migrateDatabase(handle);
  } catch (err) {
    await handle.close();
    throw err;
  }
  return handle;
}
