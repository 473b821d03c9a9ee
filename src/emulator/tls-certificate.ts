import { generate } from 'selfsigned';

/**
 * The emulator's HTTPS identity: a throw-away CA made at start, and a server certificate it signs
 * for loopback (`localhost`, `127.0.0.1`, `::1`) plus any extra host names. Clients trust the CA
 * (written to a file by the CLI), never a disabled verification. EC P-256 keys: generating RSA
 * keys costs a loaded machine seconds at every start.
 */
export interface TlsIdentity {
  /** PEM of the CA certificate a client must trust. */
  caCert: string;
  /** PEM of the server's certificate chain (leaf, then CA). */
  cert: string;
  /** PEM of the server's private key. Never printed or logged. */
  key: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export async function generateTlsIdentity(extraHosts: readonly string[] = [], now = new Date()): Promise<TlsIdentity> {
  // Backdated an hour: a client whose clock is slightly behind must not see "not yet valid".
  const notBeforeDate = new Date(now.getTime() - 60 * 60 * 1000);
  const ca = await generate([{ name: 'commonName', value: 'swas-inventory emulator CA' }], {
    keyType: 'ec', algorithm: 'sha256', notBeforeDate, notAfterDate: new Date(now.getTime() + 30 * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const dnsNames = [...new Set(['localhost', ...extraHosts.filter((h) => !isIp(h))])];
  const ips = [...new Set(['127.0.0.1', '::1', ...extraHosts.filter(isIp)])];
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec', algorithm: 'sha256', notBeforeDate, notAfterDate: new Date(now.getTime() + 30 * DAY_MS),
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...dnsNames.map((value) => ({ type: 2 as const, value })), ...ips.map((ip) => ({ type: 7 as const, ip }))] },
    ],
  });
  return { caCert: ca.cert, cert: `${server.cert.trim()}\n${ca.cert.trim()}\n`, key: server.private };
}

function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}
