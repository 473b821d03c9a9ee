/**
 * Certificates a test makes for itself (openssl): a private CA and a server certificate it signed,
 * for the TLS tests against private Postgres servers (test/db/postgres-tls.test.ts, the TLS
 * silent-path scenario).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

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
