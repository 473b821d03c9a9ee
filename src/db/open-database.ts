import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema.js';
import type { DataDirHolder } from './data-dir-lock.js';
import { maskUrl } from '../ops/mask-url.js';
import type { DatabaseHandle, Db } from './database.js';
import { readSettingFile } from '../config/read-setting-file.js';
import { limitHeldTransactions } from './transaction-gate.js';
import { postgresClientSettings } from './postgres-options.js';

export interface OpenDatabaseOptions {
  /** `postgres://...`; absent = embedded PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** PGlite folder (default `./.swas-inventory/pgdata`); `memory://` keeps it in memory (tests). */
  dataDir?: string | undefined;
  /** postgres.js pool size (default 10). */
  maxConnections?: number;
  /** PGlite folder only: how long to wait while another process holds it (default 30000 ms). */
  dataDirWaitMs?: number;
  /** PGlite folder only: told who holds the folder, once, when this has to wait. */
  onDataDirWait?: (holder: DataDirHolder | null) => void;
  /**
   * PGlite folder only: another process took the folder over as stale while this one held it (it
   * stalled past the stale time). Must stop the process: the CLI exits 70 (src/cli/exit-codes.ts).
   * Default: throw, which ends the process as an uncaught error.
   */
  onDataDirLost?: (err: Error) => void;
  /** `memory://` only: start from this dump (PGlite's `dumpDataDir`) instead of an empty cluster. */
  loadDataDir?: Blob;
}

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<DatabaseHandle> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.maxConnections ?? 10);
  return openPglite(options.dataDir ?? './.swas-inventory/pgdata', options);
}

async function openPostgres(url: string, max: number): Promise<DatabaseHandle> {
  const settings = postgresClientSettings(url, max);
  for (const file of settings.files) readSettingFile(file.setting, file.path);
  const client = postgres(settings.url, settings.options);
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  // Three connections stay for the two batched hot-path statements (clocks, records) and the
  // bookkeeping (transaction-gate.ts): the worker's pool (slots + 3) then holds at most one
  // transaction per slot, as it did when every write held its slot.
  // A pool of under 6 is a tool's or a test's: no gate, so a caller that holds two transactions
  // on purpose (one waiting for the other to commit) is not made to wait on itself.
  if (max >= 6) limitHeldTransactions(db, max - 3);
  return {
    db,
    kind: 'postgres',
    location: maskUrl(url),
    url,
    close: () => client.end({ timeout: 5 }),
  };
}

/**
 * PGlite, its drizzle driver and the folder lock are loaded only here: a process on DATABASE_URL
 * (the sync, the worker) never carries them.
 */
async function openPglite(dataDir: string, options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const [{ PGlite }, { drizzle: drizzlePglite }, { lockDataDir }] = await Promise.all([
    import('@electric-sql/pglite'), import('drizzle-orm/pglite'), import('./data-dir-lock.js'),
  ]);
  const handle = (client: PGlite, location: string, release: () => Promise<void>): DatabaseHandle => ({
    db: drizzlePglite(client, { schema }) as unknown as Db,
    kind: 'pglite',
    location,
    close: async () => {
      try {
        await client.close();
      } finally {
        await release();
      }
    },
  });
  const inMemory = dataDir.startsWith('memory://');
  const location = inMemory ? dataDir : resolve(dataDir);
  if (inMemory) return handle(await PGlite.create(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}), location, async () => {});
  mkdirSync(location, { recursive: true });
  const release = await lockDataDir(location, {
    waitMs: options.dataDirWaitMs ?? 30_000,
    ...(options.onDataDirWait ? { onWait: options.onDataDirWait } : {}),
    // Someone took the folder over as stale: the process must stop rather than let two write it.
    onCompromised: options.onDataDirLost ?? ((err) => { throw err; }),
  });
  try {
    return handle(await PGlite.create(location), location, release);
  } catch (err) {
    await release();
    throw err;
  }
}
