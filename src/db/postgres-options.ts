/**
 * The postgres.js settings every connection of ours uses (the pool, the migrator), from the URL and
 * the environment. Pure: nothing here opens a socket.
 *
 * Every wait on Postgres is bounded (docs/DEPLOYMENT.md, "Postgres"): the handshake by
 * `connect_timeout`, each query (waiting for a connection and running) by `query_timeout`, after
 * which the driver cancels it and, when the cancel gets no answer either (a silent network path),
 * closes the connection `cancel_timeout` later. Each default yields to the same parameter in the
 * URL (`?query_timeout=120`), which postgres.js reads itself. One wait the driver leaves unbounded
 * (a statement's first Describe) is bounded by the socket: no answer at all for query + cancel
 * timeouts + ANSWER_GRACE_S closes the connection (src/db/answer-deadline.ts, which also negotiates
 * TLS so that it watches the TLS socket itself).
 *
 * TLS: the URL's `sslmode` / `sslrootcert` are postgres.js's own (libpq's meanings); as libpq does,
 * `PGSSLROOTCERT` names the CA file when the URL does not.
 */
import type { Options, PostgresType } from 'postgres';
import { answerDeadlineSocket } from './answer-deadline.js';

/** Seconds. A server that never completes the handshake fails the query instead of hanging it. */
export const CONNECT_TIMEOUT_S = 10;
/** Seconds a query may wait for a connection and run; our longest statements take well under 1 s. */
export const QUERY_TIMEOUT_S = 30;
/** Seconds a cancel request may go unanswered before the connection is given up. */
export const CANCEL_TIMEOUT_S = 5;
/**
 * Seconds past query_timeout + cancel_timeout that a connection may wait for any answer at all
 * before it is closed (src/db/answer-deadline.ts: the one wait the driver leaves unbounded). With
 * the defaults, 40 s.
 */
export const ANSWER_GRACE_S = 5;

export interface PostgresClientSettings {
  /** The URL to hand postgres.js (with `sslrootcert` added from PGSSLROOTCERT when it had none). */
  url: string;
  options: Options<Record<string, PostgresType>>;
  /**
   * The files the driver will read at construction (CA, client certificate and key), each with
   * the setting that named it, so a missing one is reported by name (src/config/read-setting-file.ts)
   * instead of as the driver's bare ENOENT.
   */
  files: Array<{ setting: string; path: string }>;
}

export function postgresClientSettings(
  url: string,
  max: number,
  env: Readonly<Record<string, string | undefined>> = process.env,
): PostgresClientSettings {
  const parsed = new URL(url);
  const query = parsed.searchParams;
  const rootCert = env.PGSSLROOTCERT?.trim();
  const rootCertFromEnv = Boolean(rootCert) && !query.has('sslrootcert');
  if (rootCert && rootCertFromEnv) {
    query.set('sslrootcert', rootCert);
    // libpq's default sslmode is `prefer`; with a CA given, check the certificate against it.
    if (!query.has('sslmode') && !query.has('ssl') && !env.PGSSLMODE) query.set('sslmode', 'verify-full');
  }
  const files: PostgresClientSettings['files'] = [];
  for (const key of ['sslrootcert', 'sslcert', 'sslkey']) {
    const path = query.get(key);
    if (path === null || path === '' || (key === 'sslrootcert' && path === 'system')) continue;
    files.push({ setting: key === 'sslrootcert' && rootCertFromEnv ? 'PGSSLROOTCERT' : `${key} in DATABASE_URL`, path });
  }
  const unlessInUrl = (key: string, seconds: number) => (query.has(key) ? {} : { [key]: seconds });
  const seconds = (key: string, fallback: number) => (query.has(key) ? Number(query.get(key)) : fallback);
  const queryTimeout = seconds('query_timeout', QUERY_TIMEOUT_S);
  // No statement limit (query_timeout=0) means no answer limit either (and TLS is then the
  // driver's own, as before the deadline).
  const answerS = queryTimeout > 0 ? queryTimeout + seconds('cancel_timeout', CANCEL_TIMEOUT_S) + ANSWER_GRACE_S : 0;
  return {
    url: parsed.toString(),
    options: {
      max,
      onnotice: () => {},
      // postgres.js 4 lets the server decide parameter types; v3 typed them from the JS value. Keep
      // v3's typing: every statement (and its round trips) stays as the zero-write and
      // statement-count guarantees measured it.
      infer: true,
      ...unlessInUrl('connect_timeout', CONNECT_TIMEOUT_S),
      ...unlessInUrl('query_timeout', QUERY_TIMEOUT_S),
      ...unlessInUrl('cancel_timeout', CANCEL_TIMEOUT_S),
      ...(answerS > 0 ? { socket: answerDeadlineSocket(answerS * 1000) } : {}),
      connection: { application_name: 'swas-inventory' },
    } as Options<Record<string, PostgresType>>,
    files,
  };
}
