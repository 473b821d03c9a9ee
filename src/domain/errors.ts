/**
 * The one error mechanism. Code anywhere throws a subclass of one of these bases, and the two
 * decisions made about a failure are each made by class, in one place:
 * - retry or not: src/sync/classify-error.ts (a PermanentError or a UsageError fails at once;
 *   database errors by SQLSTATE, src/db/classify-database-error.ts; API errors by code,
 *   src/cloud/classify-api-error.ts);
 * - the exit code of a command: src/cli/exit-codes.ts (a UsageError, ConfigurationError included,
 *   exits 2; anything else 1).
 * No error carries a flag or an exit code of its own.
 */

/** A failure that would repeat on every retry (credentials, data we cannot trust, an interrupted run). */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

/** What was asked cannot be done as asked: exit 2, with the message as one line. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A configuration mistake (environment, accounts file, a service set up wrong): exit 2, never retried. */
export class ConfigurationError extends UsageError {
  override name = 'ConfigurationError';
}

export type ErrorKind = 'throttled' | 'transient' | 'permanent';

/** What the retry policies act on: a failure classified once, its message safe to log and store. */
export interface ClassifiedError {
  kind: ErrorKind;
  /** The API's `Code` (e.g. `Throttling.User`), a Node error code (`ECONNRESET`), a SQLSTATE, or our own. */
  code: string;
  /** Safe to log and store: the SDK's message carries code, HTTP status and request id, no secrets. */
  message: string;
  /** From the `x-acs-retry-after` header (ms), when the API sent one. */
  retryAfterMs?: number;
  statusCode?: number;
  requestId?: string;
  /** For a RAM denial (Forbidden.RAM / NoPermission): the AccessDeniedDetail's actionable parts. */
  accessDenied?: AccessDenied;
}

/** The actionable parts of a RAM denial's AccessDeniedDetail (src/cloud/access-denied.ts reads them). */
export interface AccessDenied {
  action?: string;
  principalType?: string;
  principalName?: string;
  ownerId?: string;
  noPermissionType?: string;
  policyType?: string;
}

/**
 * A file a setting names (a CA for TLS: PGSSLROOTCERT, REDIS_CA_FILE) cannot be read: the setting
 * is wrong as given (a typo, a secret not mounted), which the README's exit-code table counts as a
 * bad environment variable, exit 2, like any other; the message names the setting and the file.
 * (A CA that is read but refuses the server is a connection failure, exit 1.)
 */
export class SettingFileError extends ConfigurationError {
  override name = 'SettingFileError';
}

/**
 * A report filter names a region, account or status the database has never recorded (a typo,
 * most likely): exit 2 with the closest known values, instead of an empty answer that reads as
 * "there are none".
 */
export class UnknownFilterValueError extends UsageError {
  override name = 'UnknownFilterValueError';
}
