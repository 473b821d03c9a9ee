/**
 * Three ways to write the same image rows into an empty table identical to swas.custom_images,
 * timed (wall and this process's CPU), to put numbers on the persist step's options:
 *   - drizzle `insert().values(1000 rows).onConflictDoUpdate()`: one bind parameter per column
 *     per row (~30 000 per statement), each value checked and mapped by the query builder;
 *   - postgres.js `insert ... select from unnest($1::text[], ... $N::text[])`: one array per
 *     column, N parameters per statement whatever the row count;
 *   - COPY into a temp table, then `insert ... select ... on conflict` from it.
 */
import postgres from 'postgres';
import { getTableColumns, sql as dsql, type SQL } from 'drizzle-orm';
import { customImages } from '../../src/db/schema.js';
import type { Db } from '../../src/db/database.js';
import { nowMs } from './timing.js';

export interface WritePathTiming {
  path: string;
  rows: number;
  ms: number;
  clientCpuMs: number;
  rowsPerSecond: number;
}

const CHUNK = 1000;

async function time(path: string, rows: number, fn: () => Promise<void>): Promise<WritePathTiming> {
  const cpu = process.cpuUsage();
  const start = nowMs();
  await fn();
  const ms = nowMs() - start;
  const used = process.cpuUsage(cpu);
  return { path, rows, ms, clientCpuMs: (used.user + used.system) / 1000, rowsPerSecond: rows / (ms / 1000) };
}

/**
 * Reads the synced rows of swas.custom_images in `databaseUrl` and writes them three ways: the
 * drizzle path into `emptyDb`'s swas.custom_images (a fresh database: drizzle's table object
 * names that table), the others into scratch copies (`like ... including all`) beside the source.
 */
export async function compareWritePaths(db: Db, databaseUrl: string, emptyDb: Db, limit: number): Promise<WritePathTiming[]> {
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  try {
    await sql`create schema if not exists bench_paths`;
    for (const t of ['unnest', 'copy']) await sql.unsafe(`create table bench_paths.${t} (like swas.custom_images including all)`);
    const columns = await sql<Array<{ name: string; type: string }>>`
      select column_name as name, format_type(a.atttypid, a.atttypmod) as type
      from information_schema.columns c
      join pg_attribute a on a.attrelid = 'swas.custom_images'::regclass and a.attname = c.column_name
      where c.table_schema = 'swas' and c.table_name = 'custom_images' and c.is_generated = 'NEVER' order by c.ordinal_position`;
    const names = columns.map((c) => `"${c.name}"`);
    const update = columns.filter((c) => !['account', 'image_id', 'first_seen_at'].includes(c.name))
      .map((c) => `"${c.name}" = excluded."${c.name}"`).join(', ');
    const out: WritePathTiming[] = [];

    // drizzle, as persist-region.ts writes: typed row objects, 1000 per statement.
    const typed = await db.select().from(customImages).limit(limit);
    out.push(await time('drizzle insert().values(1000 rows) on conflict', typed.length, async () => {
      await emptyDb.transaction(async (tx) => {
        for (let i = 0; i < typed.length; i += CHUNK) await drizzleInsert(tx, typed.slice(i, i + CHUNK));
      });
    }));

    // unnest: the same rows as one text array per column, cast on the server.
    const textRows = await sql.unsafe<Array<Record<string, string | null>>>(
      `select ${columns.map((c) => `"${c.name}"::text as "${c.name}"`).join(', ')} from swas.custom_images limit ${limit}`);
    out.push(await time('postgres.js insert ... select from unnest(one text[] per column)', textRows.length, async () => {
      const params = columns.map((_, k) => `$${k + 1}::text[]`).join(', ');
      const casts = columns.map((c, k) => `u.c${k}::${c.type}`).join(', ');
      const statement = `insert into bench_paths.unnest (${names.join(', ')}) select ${casts} from unnest(${params}) as u(${columns.map((_, k) => `c${k}`).join(', ')})
           on conflict (account, image_id) do update set ${update}`;
      await sql.begin(async (tx) => {
        for (let i = 0; i < textRows.length; i += CHUNK) {
          const batch = textRows.slice(i, i + CHUNK);
          await tx.unsafe(statement, columns.map((c) => batch.map((r) => r[c.name] ?? null)));
        }
      });
    }));

    // COPY into a temp staging table, then one insert ... select.
    const reader = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    const chunks: Buffer[] = [];
    try {
      const source = await reader.unsafe(`copy (select * from swas.custom_images limit ${limit}) to stdout`).readable();
      for await (const chunk of source) chunks.push(chunk as Buffer);
    } finally {
      await reader.end({ timeout: 1 });
    }
    out.push(await time('COPY to a temp table + insert ... select on conflict', textRows.length, async () => {
      await sql.begin(async (tx) => {
        await tx.unsafe('create temp table staging (like swas.custom_images) on commit drop');
        const sink = await tx.unsafe('copy staging from stdin').writable();
        await new Promise<void>((resolve, reject) => {
          sink.on('finish', resolve);
          sink.on('error', reject);
          for (const c of chunks) sink.write(c);
          sink.end();
        });
        await tx.unsafe(`insert into bench_paths.copy select * from staging on conflict (account, image_id) do update set ${update}`);
      });
    }));
    return out;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** drizzle's insert builder aimed at the scratch table: same columns, same mapping, same conflict clause. */
async function drizzleInsert(db: Db, rows: Array<typeof customImages.$inferSelect>): Promise<void> {
  const set: Record<string, SQL> = {};
  for (const [key, column] of Object.entries(getTableColumns(customImages))) {
    if (!['account', 'imageId', 'firstSeenAt'].includes(key) && !column.generated) set[key] = dsql.raw(`excluded."${column.name}"`);
  }
  await db.insert(customImages).values(rows).onConflictDoUpdate({ target: [customImages.account, customImages.imageId], set });
}
