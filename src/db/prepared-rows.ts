/**
 * Fixed-text statements of the hot path, sent as PREPARED statements. drizzle's postgres.js
 * session passes `prepare: false`, so every parameterised statement costs postgres.js two round
 * trips (describe, then execute) and the server a fresh plan each time; a prepared one costs one
 * round trip after its first use on a connection. Only statements whose text never varies go
 * here (postgres.js keeps each distinct text prepared on the connection for its lifetime).
 * Works on both back ends: PGlite runs the same text with the same parameters.
 */
import type { Db } from './database.js';

interface PostgresJsClient {
  unsafe(text: string, params: unknown[], options: { prepare: boolean }): Promise<unknown[]>;
}
interface PgliteClient {
  query(text: string, params: unknown[]): Promise<{ rows: unknown[] }>;
}

/** The driver client behind a drizzle database or transaction (postgres.js Sql or PGlite). */
function driverClient(db: Db): PostgresJsClient | PgliteClient {
  const client = (db as unknown as { _: { session: { client: unknown } } })._.session.client;
  return client as PostgresJsClient | PgliteClient;
}

/**
 * Runs `text` ($1, $2, ... placeholders) with `params` and returns its rows. Parameters must be
 * strings, numbers, booleans or null (timestamps as ISO strings, jsonb as JSON text): that is
 * what both drivers send unchanged.
 */
export async function preparedRows<T>(db: Db, text: string, params: ReadonlyArray<string | number | boolean | null>): Promise<T[]> {
  const client = driverClient(db);
  if ('unsafe' in client) return await client.unsafe(text, [...params], { prepare: true }) as T[];
  return (await client.query(text, [...params])).rows as T[];
}

/**
 * A batched record statement's answer: `text` takes the requests as one jsonb array ($1) and
 * returns one row whose `recorded` column holds a 't' or 'f' per request, in request order (text,
 * which both drivers return alike: no array parsing). Throws when the count does not match.
 */
export async function preparedFlags(db: Db, text: string, requests: readonly unknown[]): Promise<boolean[]> {
  const [row] = await preparedRows<{ recorded: string }>(db, text, [JSON.stringify(requests)]);
  if (!row) throw new Error('database returned no row');
  const recorded = String(row.recorded ?? '');
  if (recorded.length !== requests.length) throw new Error(`database answered ${recorded.length} records for ${requests.length}`);
  return requests.map((_, i) => recorded[i] === 't');
}
