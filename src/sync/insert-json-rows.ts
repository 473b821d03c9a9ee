/**
 * Many rows in one statement with ONE bind parameter: the rows as a JSON array, expanded by the
 * server with jsonb_to_recordset. drizzle's values() builds a parameter object per value (about 30
 * per image row), which the ingest profile showed to be a third of the sync's CPU; this costs one
 * JSON.stringify, and the statement text no longer depends on the batch size. Works the same on
 * postgres.js and PGlite (a text parameter cast to jsonb).
 */
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import type { Db } from '../db/database.js';

/** `rows` are keyed by the table's TypeScript property names, as drizzle's insert takes them. */
export async function insertJsonRows(tx: Db, table: PgTable, rows: ReadonlyArray<Record<string, unknown>>, onConflict?: SQL): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(jsonRowsInsert(table, rows, onConflict));
}

/** The statement insertJsonRows runs, for callers that add `returning` (rows must not be empty). */
export function jsonRowsInsert(table: PgTable, rows: ReadonlyArray<Record<string, unknown>>, onConflict?: SQL): SQL {
  const first = rows[0];
  if (first === undefined) throw new Error('jsonRowsInsert needs at least one row');
  const columns = Object.entries(getTableColumns(table)).filter(([key]) => key in first);
  const json = JSON.stringify(rows.map((row) => columnNamed(columns, row)));
  const { name, schema } = getTableConfig(table);
  const target = schema ? `${quote(schema)}.${quote(name)}` : quote(name);
  const names = columns.map(([, c]) => quote(c.name)).join(', ');
  const defs = columns.map(([, c]) => `${quote(c.name)} ${c.getSQLType()}`).join(', ');
  return sql`insert into ${sql.raw(target)} (${sql.raw(names)}) select ${sql.raw(names)} from jsonb_to_recordset(${json}::jsonb) as r(${sql.raw(defs)}) ${onConflict ?? sql``}`;
}

/**
 * A row keyed by the table's column names, as the statement's JSON carries it (for callers that
 * send rows to a database function: record-first-listing.ts).
 */
export function columnNamedRow(table: PgTable, row: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return columnNamed(Object.entries(getTableColumns(table)).filter(([key]) => key in row), row);
}

function columnNamed(columns: ReadonlyArray<[string, { name: string }]>, row: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, column] of columns) out[column.name] = toJson(row[key]);
  return out;
}

/** `on conflict (...) do update set c = excluded.c` for every column but the key, `keep` and generated ones (Postgres computes those). */
export function upsertClause(table: PgTable, key: readonly string[], keep: readonly string[] = []): SQL {
  const skip = new Set([...key, ...keep]);
  const set = Object.values(getTableColumns(table))
    .filter((c) => !skip.has(c.name) && c.generated === undefined)
    .map((c) => `${quote(c.name)} = excluded.${quote(c.name)}`)
    .join(', ');
  return sql.raw(`on conflict (${key.map(quote).join(', ')}) do update set ${set}`);
}

const quote = (identifier: string): string => `"${identifier.replaceAll('"', '""')}"`;

// JSON has no bigint; Postgres reads a decimal string into a bigint column exactly.
const toJson = (value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value);
