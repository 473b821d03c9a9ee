/**
 * Certificates a test makes for itself (openssl): a private CA and a server certificate it signed,
 * for the TLS tests against private Postgres servers (test/db/postgres-tls.test.ts, the TLS
 * silent-path scenario).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startPrivatePostgres, type PrivatePostgres } from './private-services.js';

const openssl = async (dir: string, args: string[]) => { await promisify(execFile)('openssl', args, { cwd: dir }); };

/** A CA (ca.pem) and, signed by it, a certificate for the DNS name `localhost` only (server.crt/.key), in `dir`. */
export async function makeCertificates(dir: string, caName: string): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(dir, ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', `/CN=${caName}`]);
  await openssl(dir, ['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=DNS:localhost\n');
  await openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext']);
}

export interface TlsPostgres {
  pg: PrivatePostgres;
  /** The CA file that signed the server's certificate (for `sslrootcert` or PGSSLROOTCERT). */
  ca: string;
  /** Stops the server, removes its certificates. */
  destroy(): Promise<void>;
}

/** A private Postgres serving TLS with a certificate for `localhost` from a CA made here. */
export async function startTlsPostgres(): Promise<TlsPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'swas-pgtls-'));
  try {
    await makeCertificates(dir, 'swas test CA');
    const pg = await startPrivatePostgres({ tls: { cert: readFileSync(join(dir, 'server.crt'), 'utf8'), key: readFileSync(join(dir, 'server.key'), 'utf8') } });
    return { pg, ca: join(dir, 'ca.pem'), destroy: async () => { await pg.destroy(); rmSync(dir, { recursive: true, force: true }); } };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
