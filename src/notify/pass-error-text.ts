/**
 * The log line's text for a failed delivery pass. drizzle wraps a failed statement as `Failed
 * query: <SQL>\nparams: <values>`: the SQL and the parameters (subscription names, event ids,
 * error text from receivers) must never reach a log, so the driver's error underneath is named
 * instead (`database error CONNECTION_CLOSED: ...`, `ECONNREFUSED`). Pure.
 */
import { describeDatabaseError, findDatabaseError } from '../db/find-database-error.js';

export function passErrorText(err: unknown): string {
  const db = findDatabaseError(err);
  if (db) return describeDatabaseError(db);
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  if (err instanceof Error && err.message.startsWith('Failed query')) {
    return `a database statement failed${cause && typeof cause.code === 'string' ? ` (${cause.code})` : ''}`;
  }
  return err instanceof Error ? (err.message.split('\n')[0] ?? err.name).slice(0, 300) : 'unknown error';
}
