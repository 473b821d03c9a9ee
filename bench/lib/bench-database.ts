/**
 * A fresh, migrated database per case (CREATE DATABASE bench_<random> on DATABASE_URL's server),
 * dropped at the end. Cases never share data, and nothing else on the server is touched.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { DatabaseHandle } from '../../src/db/database.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { openDatabase } from '../../src/db/open-database.js';

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  name: string;
  url: string;
  handle: DatabaseHandle;
  /** Closes the handle and drops the database. Idempotent. */
  drop(): Promise<void>;
}

export function adminUrl(): string {
  return process.env.DATABASE_URL ?? DEFAULT_ADMIN_URL;
}

/** The URL of database `name` on the admin URL's server. */
export function urlFor(name: string, base = adminUrl()): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createBenchDatabase(options: { maxConnections?: number } = {}): Promise<BenchDatabase> {
  const name = `bench_${randomBytes(5).toString('hex')}`;
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = urlFor(name);
  const handle = await openDatabase({ databaseUrl: url, maxConnections: options.maxConnections ?? 10 });
  await migrateDatabase(handle);
  let dropped: Promise<void> | undefined;
  return {
    name, url, handle,
    drop: () => (dropped ??= dropDatabase(handle, name)),
  };
}

async function dropDatabase(handle: DatabaseHandle, name: string): Promise<void> {
  await handle.close().catch(() => {});
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}
