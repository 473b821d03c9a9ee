import { sql } from 'drizzle-orm';
import { CONNECT_TIMEOUT_MS, ServiceUnavailableError, shortReason, withDeadline } from '../ops/service-unavailable.js';
import type { DatabaseHandle } from './database.js';

/**
 * Resolves once the database answers `select 1`; else closes the handle and throws one line naming
 * the database (password masked). postgres.js's own connect_timeout bounds the handshake; the
 * deadline also covers a server that accepts connections and never answers.
 */
export async function probeDatabase(handle: DatabaseHandle, timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
  if (handle.kind !== 'postgres') return;
  try {
    await withDeadline(handle.db.execute(sql`select 1`), timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
  } catch (err) {
    const cause = err instanceof Error && err.message.startsWith('Failed query') && err.cause !== undefined ? err.cause : err;
    await withDeadline(handle.close(), 2_000, () => new Error('close timeout')).catch(() => {});
    throw new ServiceUnavailableError('PostgreSQL', handle.location, 'DATABASE_URL', shortReason(cause));
  }
}
