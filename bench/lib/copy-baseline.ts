/**
 * The raw limit of ingest: the rows a sync wrote, loaded again by one COPY per table into an
 * identical scratch table (`create table ... (like ... including all)`: same columns, types,
 * defaults, indexes and constraints; no triggers). The COPY text is produced first and held in
 * memory, so only the load itself is timed.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import postgres from 'postgres';
import { nowMs } from './timing.js';

export interface CopyTiming {
  table: string;
  rows: number;
  bytes: number;
  ms: number;
}

export async function copyBaseline(databaseUrl: string, tables: readonly string[]): Promise<CopyTiming[]> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`create schema if not exists bench_raw`;
    const out: CopyTiming[] = [];
    for (const table of tables) {
      const chunks = await copyOut(databaseUrl, `swas.${table}`);
      const [{ rows } = { rows: 0 }] = await sql.unsafe<Array<{ rows: number }>>(`select count(*)::int as rows from swas.${table}`);
      await sql.unsafe(`create table bench_raw.${table} (like swas.${table} including all)`);
      const start = nowMs();
      const sink = await sql.unsafe(`copy bench_raw.${table} from stdin`).writable();
      await pipeline(Readable.from(chunks), sink);
      out.push({ table, rows, bytes: chunks.reduce((n, c) => n + c.length, 0), ms: nowMs() - start });
    }
    return out;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * COPY TO on a connection of its own: with postgres.js 3.4, the next query on the connection
 * that served a `copy ... to stdout` readable never runs (it hangs), so that connection is ended.
 */
async function copyOut(databaseUrl: string, table: string): Promise<Buffer[]> {
  const reader = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const chunks: Buffer[] = [];
    const source = await reader.unsafe(`copy ${table} to stdout`).readable();
    for await (const chunk of source) chunks.push(chunk as Buffer);
    return chunks;
  } finally {
    await reader.end({ timeout: 1 });
  }
}
