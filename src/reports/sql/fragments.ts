/**
 * Small SQL pieces the report builders share. Everything is parameterized; only column
 * expressions written in this folder are spliced in.
 */
import { sql, type SQL } from 'drizzle-orm';

/**
 * A timestamptz as ISO 8601 UTC text (`2026-01-31T12:00:00.000Z`). Done in SQL because the two
 * drivers disagree on timestamps (postgres.js under drizzle returns strings, PGlite returns
 * Dates); text makes every output format identical on both back ends.
 */
export function isoText(column: SQL): SQL {
  return sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** A time parameter, sent as ISO text with an explicit cast (drivers serialize Date differently). */
export function timeParam(at: Date): SQL {
  return sql`${at.toISOString()}::timestamptz`;
}

/** `column in (...)` for text values; undefined when there is nothing to filter on. */
export function textIn(column: SQL, values: readonly string[] | undefined): SQL | undefined {
  if (!values || values.length === 0) return undefined;
  return sql`${column} in (${sql.join(values.map((v) => sql`${v}::text`), sql`, `)})`;
}

/** `column in (...)` for integer values. */
export function intIn(column: SQL, values: readonly number[] | undefined): SQL | undefined {
  if (!values || values.length === 0) return undefined;
  return sql`${column} in (${sql.join(values.map((v) => sql`${v}::int`), sql`, `)})`;
}

/** `where a and b ...`, or nothing when no condition applies. */
export function whereAll(conditions: ReadonlyArray<SQL | undefined>): SQL {
  const present = conditions.filter((c): c is SQL => c !== undefined);
  if (present.length === 0) return sql``;
  return sql`where ${sql.join(present, sql` and `)}`;
}

/** Filters by account and region shared by every report. */
export interface ScopeFilter {
  accounts?: readonly string[] | undefined;
  regions?: readonly string[] | undefined;
}

export function scopeConditions(scope: ScopeFilter, alias: string): Array<SQL | undefined> {
  return [
    textIn(sql.raw(`${alias}.account`), scope.accounts),
    textIn(sql.raw(`${alias}.region_id`), scope.regions),
  ];
}
