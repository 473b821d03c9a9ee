/**
 * One migrated PGlite cluster, dumped to a file (`dumpDataDir`), that every embedded test database
 * loads (`loadDataDir`) instead of running initdb and every migration again (seconds of WASM each,
 * tens of seconds on a loaded machine). Kept under node_modules/.cache, named by what it was built
 * from (the migrations, their runner, PGlite's version): built once on a clean clone, and again
 * only when one of those changes.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import lockfile from 'proper-lockfile';
import { migrateDatabase } from '../../src/db/migrate.js';
import { openDatabase } from '../../src/db/open-database.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CACHE = join(ROOT, 'node_modules/.cache/swas-inventory-tests');

/** The template's path, building it first when no current one is cached. */
export async function pgliteTemplateFile(): Promise<string> {
  const file = join(CACHE, `pglite-${inputsDigest()}.tar`);
  if (existsSync(file)) return file;
  mkdirSync(CACHE, { recursive: true });
  const release = await lockfile.lock(CACHE, {
    lockfilePath: join(CACHE, 'pglite.lock'), realpath: false, stale: 120_000,
    retries: { retries: 600, minTimeout: 200, maxTimeout: 500 },
  });
  try {
    if (!existsSync(file)) {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, await dumpMigratedCluster());
      renameSync(tmp, file); // whole or absent, for a run reading it at the same time
    }
    return file;
  } finally {
    await release();
  }
}

async function dumpMigratedCluster(): Promise<Buffer> {
  const handle = await openDatabase({ dataDir: 'memory://' });
  try {
    await migrateDatabase(handle);
    const client = (handle.db as unknown as { $client: PGlite }).$client;
    return Buffer.from(await (await client.dumpDataDir('none')).arrayBuffer());
  } finally {
    await handle.close();
  }
}

function inputsDigest(): string {
  const hash = createHash('sha256');
  const pglite = JSON.parse(readFileSync(join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string };
  hash.update(`pglite ${pglite.version}\n`);
  const files = [join(ROOT, 'src/db/migrate.ts'), ...filesUnder(join(ROOT, 'migrations'))];
  for (const f of files) hash.update(`${f.slice(ROOT.length)}\n`).update(readFileSync(f));
  return hash.digest('hex').slice(0, 16);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}
