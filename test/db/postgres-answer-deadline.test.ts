// @long-running: waits out an 8 s answer deadline on plain and TLS paths
/**
 * The answer deadline (src/db/answer-deadline.ts) on the one wait postgres.js 4.2.0 leaves
 * unbounded: a statement's first use waits for its description, and query_timeout then only marks
 * it halted. Through a proxy that goes silent (test/helpers/silent-proxy.ts), a first-use statement
 * must fail as a lost connection within query_timeout + cancel_timeout + the grace (shortened here
 * through the URL: 2 + 1 + 5 = 8 s), over plain TCP and over TLS (`sslmode=verify-full`, a private
 * CA). Over TLS the deadline used to watch the plain socket beneath the driver's TLS layer, saw
 * nothing, and the statement waited for as long as the path stayed silent.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANSWER_GRACE_S, postgresClientSettings } from '../../src/db/postgres-options.js';
import { startSilentableProxy, type SilentableProxy } from '../helpers/silent-proxy.js';
import { startTlsPostgres, type TlsPostgres } from '../helpers/tls-certificates.js';

const QUERY_S = 2;
const CANCEL_S = 1;
const ANSWER_MS = (QUERY_S + CANCEL_S + ANSWER_GRACE_S) * 1000;
/** How long the test keeps the path silent at most: well past the deadline, then it gives up waiting. */
const GIVE_UP_MS = ANSWER_MS + 12_000;

describe('the answer deadline on a silent path to Postgres', () => {
  let server: TlsPostgres;
  let proxy: SilentableProxy;

  beforeAll(async () => { server = await startTlsPostgres(); }, 120_000);
  afterAll(async () => { await server?.destroy(); });

  it('negotiates TLS as the driver would for each sslmode: disable plain, prefer and require encrypted without a CA, verify-full with it', async () => {
    const encrypted: Record<string, boolean> = {};
    for (const mode of ['disable', 'prefer', 'require', 'verify-full']) {
      const ca = mode === 'verify-full' ? `&sslrootcert=${server.ca}` : '';
      const settings = postgresClientSettings(`postgres://postgres@localhost:${server.pg.port}/postgres?sslmode=${mode}${ca}`, 1);
      const client = postgres(settings.url, settings.options);
      try {
        const [row] = await client<Array<{ tls: boolean }>>`select ssl as tls from pg_stat_ssl where pid = pg_backend_pid()`;
        encrypted[mode] = row?.tls === true;
      } finally {
        await client.end({ timeout: 1 });
      }
    }
    expect(encrypted).toEqual({ disable: false, prefer: true, require: true, 'verify-full': true });
  });

  const cases: Array<[string, (port: number) => string]> = [
    ['plain TCP', (port) => `postgres://postgres@127.0.0.1:${port}/postgres`],
    ['TLS, verify-full', (port) => `postgres://postgres@localhost:${port}/postgres?sslmode=verify-full&sslrootcert=${server.ca}`],
  ];
  for (const [name, urlAt] of cases) {
    it(`${name}: a statement's first use on a path gone silent fails as a lost connection within query + cancel timeouts + ${ANSWER_GRACE_S} s`, async () => {
      proxy = await startSilentableProxy(server.pg.port);
      const settings = postgresClientSettings(`${urlAt(proxy.port)}${urlAt(proxy.port).includes('?') ? '&' : '?'}query_timeout=${QUERY_S}&cancel_timeout=${CANCEL_S}`, 1);
      const client = postgres(settings.url, settings.options);
      try {
        const [ready] = await client<Array<{ tls: boolean }>>`select ssl as tls from pg_stat_ssl where pid = pg_backend_pid()`;
        expect(ready?.tls).toBe(name.startsWith('TLS'));
        proxy.silence();
        const started = Date.now();
        const outcome = await Promise.race([
          client.unsafe('select $1::int + 41 as answer', [1]).then(() => 'answered', (error: { code?: string }) => error.code ?? 'no code'),
          new Promise<string>((r) => setTimeout(() => r('still waiting'), GIVE_UP_MS)),
        ]);
        const waited = Date.now() - started;
        process.stderr.write(`[answer-deadline] ${name}: ${outcome} after ${waited} ms of silence (deadline ${ANSWER_MS} ms)\n`);
        expect(outcome).toBe('CONNECTION_CLOSED');
        expect(waited).toBeGreaterThanOrEqual(QUERY_S * 1000);
        expect(waited).toBeLessThan(ANSWER_MS + 3_000);
      } finally {
        proxy.resume();
        await client.end({ timeout: 1 });
        await proxy.close();
      }
    }, 60_000);
  }
});
