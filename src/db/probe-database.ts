import { sql } from 'drizzle-orm';
import { CONNECT_TIMEOUT_MS, ServiceUnavailableError, shortReason, withDeadline } from '../ops/service-unavailable.js';
import type { DatabaseHandle } from './database.js';

/** Node's certificate-check codes, and postgres.js's for a server without TLS. */
const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_|SSL_NOT_SUPPORTED$|HOSTNAME_MISMATCH$)/;

/** Pure: the one-line reason when `err` is a TLS refusal (bad CA, wrong host name, no TLS), else null. */
export function tlsRefusal(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TLS_CODES.test(code) ? shortReason(err) : null;
}

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
    const tls = tlsRefusal(cause);
    throw tls === null
      ? new ServiceUnavailableError('PostgreSQL', handle.location, 'DATABASE_URL', shortReason(cause))
      : new ServiceUnavailableError('PostgreSQL', handle.location, 'DATABASE_URL', `TLS refused: ${tls}`,
        'Check the CA (PGSSLROOTCERT or sslrootcert=) and that the host name in DATABASE_URL is one the server certificate names.');
  }
}
