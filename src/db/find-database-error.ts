/**
 * Finds the driver's error under whatever wrapped it. drizzle rethrows every failed statement as
 * `Failed query: <the whole SQL>\nparams: <every parameter>` with the driver's error as `cause`;
 * Promise.any and some pools throw AggregateError. What went wrong (the SQLSTATE and the server's
 * one-line message) is underneath, and the wrapper's text must never be stored or logged: it is
 * up to 2000 characters of SQL and data. Pure: looks only at the errors' own fields.
 */

export interface DatabaseErrorInfo {
  /** SQLSTATE (`55P03`), or the driver's code for a lost connection (`CONNECTION_CLOSED`, `ECONNRESET`). */
  code: string;
  /** The server's message (`canceling statement due to lock timeout`), never the SQL. */
  message: string;
  /** The condition name when known (`lock_not_available`). */
  condition?: string;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;
/** postgres.js's own codes for a connection that went away or stopped answering (a query past query_timeout). */
const DRIVER_CONNECTION_CODES = /^(CONNECTION_CLOSED|CONNECTION_ENDED|CONNECTION_DESTROYED|CONNECT_TIMEOUT|QUERY_TIMEOUT|QUEUE_TIMEOUT|CANCEL_UNANSWERED)$/;
/** Node's socket errors: the database's only when they come from under a failed query (the SDK has them too). */
const SOCKET_CODES = /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)$/;
const MAX_DEPTH = 8;

/** The conditions this project meets; others show their SQLSTATE alone. */
const CONDITIONS: Record<string, string> = {
  '55P03': 'lock_not_available',
  '40001': 'serialization_failure',
  '40P01': 'deadlock_detected',
  '57014': 'query_canceled',
  '57P01': 'admin_shutdown',
  '57P02': 'crash_shutdown',
  '57P03': 'cannot_connect_now',
  '53300': 'too_many_connections',
  '42501': 'insufficient_privilege',
  '42P01': 'undefined_table',
  '42703': 'undefined_column',
  '42883': 'undefined_function',
  '3F000': 'invalid_schema_name',
  '3D000': 'invalid_catalog_name',
  '28P01': 'invalid_password',
  '28000': 'invalid_authorization_specification',
  '23505': 'unique_violation',
  '23503': 'foreign_key_violation',
  '25006': 'read_only_sql_transaction',
};

export function findDatabaseError(error: unknown): DatabaseErrorInfo | undefined {
  const seen = new Set<unknown>();
  const queue: Array<{ e: unknown; depth: number; underQuery: boolean }> = [{ e: error, depth: 0, underQuery: false }];
  let connection: DatabaseErrorInfo | undefined;
  while (queue.length > 0) {
    const { e, depth, underQuery } = queue.shift()!;
    if (typeof e !== 'object' || e === null || seen.has(e) || depth > MAX_DEPTH) continue;
    seen.add(e);
    const r = e as Record<string, unknown>;
    const code = typeof r.code === 'string' ? r.code : undefined;
    const message = typeof r.message === 'string' ? r.message : '';
    // A server error carries a severity beside its SQLSTATE (postgres.js and PGlite alike).
    if (code !== undefined && SQLSTATE.test(code) && typeof r.severity === 'string') {
      const condition = CONDITIONS[code];
      return { code, message: cleanServerMessage(code, message), ...(condition ? { condition } : {}) };
    }
    const lost = code !== undefined && (DRIVER_CONNECTION_CODES.test(code) || (underQuery && SOCKET_CODES.test(code)));
    if (lost && !connection) connection = { code, message: firstLine(message) };
    const below = { depth: depth + 1, underQuery: underQuery || message.startsWith('Failed query') };
    if ('cause' in r) queue.push({ e: r.cause, ...below });
    if (Array.isArray(r.errors)) for (const inner of r.errors) queue.push({ e: inner, ...below });
  }
  return connection;
}

/** `database error 55P03 (lock_not_available): canceling statement due to lock timeout` */
export function describeDatabaseError(info: DatabaseErrorInfo): string {
  return `database error ${info.code}${info.condition ? ` (${info.condition})` : ''}: ${info.message}`;
}

/**
 * The server's primary message is one line without the statement. Data exceptions (class 22)
 * quote the offending input, which is one of the statement's parameters: keep the reason, drop
 * the value.
 */
function cleanServerMessage(code: string, message: string): string {
  const line = firstLine(message);
  return code.startsWith('22') ? line.replace(/:\s*".*$/, ': <value omitted>') : line;
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 300);
}

/**
 * An error the server raised for the statement itself (a SQLSTATE outside connection exceptions,
 * operator intervention and insufficient resources): one request of a batched statement may be at
 * fault, so the batch is worth re-sending request by request (statement-batcher.ts). A lost
 * connection is not: every request of the batch fails with it.
 */
export function isStatementError(error: unknown): boolean {
  const info = findDatabaseError(error);
  return info !== undefined && /^[0-9A-Z]{5}$/.test(info.code) && !/^(08|53|57)/.test(info.code);
}
