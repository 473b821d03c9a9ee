import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema.js';
import { maskUrl, type DatabaseHandle, type Db } from './database.js';

export interface OpenDatabaseOptions {
  /** `postgres://...`; absent = embedded PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** PGlite folder (default `./.swas-inventory/pgdata`); `memory://` keeps it in memory (tests). */
  dataDir?: string | undefined;
  /** postgres.js pool size (default 10). */
  maxConnections?: number;
}

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<DatabaseHandle> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.maxConnections ?? 10);
  return openPglite(options.dataDir ?? './.swas-inventory/pgdata');
}

async function openPostgres(url: string, max: number): Promise<DatabaseHandle> {
  const client = postgres(url, {
    max,
    onnotice: () => {},
    // Seconds. A server that never completes the handshake fails the query instead of hanging it.
    connect_timeout: 10,
    // Our own timestamps are timestamptz; keep bigint ids as JS numbers only where the schema says so.
    connection: { application_name: 'swas-inventory' },
  });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    location: maskUrl(url),
    url,
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(dataDir: string): Promise<DatabaseHandle> {
  const inMemory = dataDir.startsWith('memory://');
  const location = inMemory ? dataDir : resolve(dataDir);
  if (!inMemory) mkdirSync(location, { recursive: true });
  const client = await PGlite.create(inMemory ? undefined : location);
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    location,
    close: () => client.close(),
  };
}
