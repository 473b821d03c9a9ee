/**
 * Whether a database failure is worth a retry, decided by its SQLSTATE (or the driver's code for a
 * lost connection). Beside the database code because only it knows the codes; the message is the
 * server's one line (find-database-error.ts), never the SQL or its parameters.
 */
import type { ClassifiedError } from '../domain/errors.js';
import { redactMessage } from '../ops/redact-message.js';
import { describeDatabaseError, findDatabaseError } from './find-database-error.js';

/**
 * SQLSTATEs a retry can get past: lock timeouts, serialization failures and deadlocks (another
 * transaction won), a cancelled statement, a server shutting down or starting, too many clients.
 * Class 08 is a connection failure.
 */
const TRANSIENT_SQLSTATES = /^(55P03|40001|40P01|57014|57P0[1-3]|53300|08...)$/;

/** The classification of a database error found under `error` (however wrapped), or undefined when there is none. */
export function classifyDatabaseError(error: unknown): ClassifiedError | undefined {
  const db = findDatabaseError(error);
  if (!db) return undefined;
  const message = redactMessage(describeDatabaseError(db));
  const lostConnection = !/^[0-9A-Z]{5}$/.test(db.code);
  // Everything else (permissions 42501, schema 42P01/42703/3F000, data 22xxx, constraints 23xxx,
  // authentication 28xxx) fails the same way on every retry until someone changes something.
  const transient = lostConnection || TRANSIENT_SQLSTATES.test(db.code);
  return { kind: transient ? 'transient' : 'permanent', code: db.code, message };
}
