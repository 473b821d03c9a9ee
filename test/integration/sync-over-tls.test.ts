/**
 * HTTPS end to end: the emulator's `tls` mode (a CA generated at start), the real SDK verifying
 * the certificate against that CA (never with verification off), and the full sync pointed at it
 * the documented way: SWAS_ENDPOINT=https://... and SWAS_CA_FILE=<the CA's PEM>.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import type { Account } from '../../src/config/accounts.js';
import { ConfigError, loadConfig } from '../../src/config/env.js';
import { SwasClients } from '../../src/cloud/swas-client.js';
import { customImages } from '../../src/db/schema.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { generateSeed, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { runEmulatorCommand } from '../../src/cli/commands/emulator.js';
import { generateTlsIdentity } from '../../src/emulator/tls-certificate.js';
import { silentLogger } from '../../src/ops/logger.js';
import { runSync } from '../../src/sync/run-sync.js';
import { createTestDatabase } from '../helpers/databases.js';
import { $OpenApiUtil, Client, ListRegionsRequest } from '../emulator/sdk-client.js';

const REGIONS = ['cn-hangzhou', 'cn-shanghai'];

let emu: EmulatorHandle;
let caFile: string;
beforeAll(async () => {
  emu = await startEmulator({ tls: true, seed: generateSeed({ accounts: 1, regions: REGIONS, imagesPerRegion: 4, seed: 3 }) });
  caFile = path.join(await mkdtemp(path.join(os.tmpdir(), 'emu-tls-')), 'ca.pem');
  await writeFile(caFile, emu.caCert ?? '');
});
afterAll(async () => {
  await emu.stop();
});

const sdk = (ca?: string) => new Client(new $OpenApiUtil.Config({
  accessKeyId: emu.accounts[0]!.accessKeyId, accessKeySecret: emu.accounts[0]!.accessKeySecret,
  endpoint: emu.endpoint, protocol: 'https', regionId: 'cn-hangzhou', ...(ca === undefined ? {} : { ca }),
}));

describe('emulator over HTTPS', () => {
  it('serves https:// only, with a certificate the SDK verifies against the generated CA', async () => {
    expect(emu.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.caCert).toContain('-----BEGIN CERTIFICATE-----');
    const res = await sdk(emu.caCert).listRegions(new ListRegionsRequest({}));
    expect(res.statusCode).toBe(200);
  });

  it('without the CA the SDK refuses the certificate (verification is on)', async () => {
    const error = await sdk().listRegions(new ListRegionsRequest({})).catch((e: unknown) => e);
    expect(String((error as Error).message)).toMatch(/self[- ]signed|unable to (get|verify)|certificate/i);
  });

  it('the full sync commits every region over TLS with SWAS_ENDPOINT=https://... and SWAS_CA_FILE', async () => {
    const handle: DatabaseHandle = await createTestDatabase('postgres');
    try {
      const config = loadConfig({ SWAS_ENDPOINT: emu.url, SWAS_CA_FILE: caFile, SWAS_REGIONS: REGIONS.join(','), LOG_LEVEL: 'silent' });
      expect(config.endpoint).toEqual({ protocol: 'https', host: emu.endpoint });
      const key = emu.accounts[0]!;
      const clients = new SwasClients({ config, env: { TLS_AK: key.accessKeyId, TLS_SK: key.accessKeySecret } });
      const account: Account = { name: 'tls', credentials: { type: 'access_key', accessKeyIdEnv: 'TLS_AK', accessKeySecretEnv: 'TLS_SK' }, regions: { allow: null, deny: [] }, callsPerSecond: 100 };
      const report = await runSync({ db: handle.db, clients, config, accounts: [account], log: silentLogger() });
      expect(report.summary.status, JSON.stringify(report.regions.map((r) => r.error))).toBe('succeeded');
      expect(report.regions.map((r) => [r.regionId, r.status, r.images])).toEqual([['cn-hangzhou', 'succeeded', 4], ['cn-shanghai', 'succeeded', 4]]);
      const [row] = await handle.db.select({ n: count() }).from(customImages);
      expect(row?.n).toBe(8);
    } finally {
      await handle.close();
    }
  });

  it('SWAS_CA_FILE that cannot be read or holds no certificate is a configuration error', async () => {
    const base = { endpoint: null, readTimeoutMs: 1000, connectTimeoutMs: 1000 };
    expect(() => new SwasClients({ config: { ...base, caFile: '/nonexistent/ca.pem' } })).toThrow(ConfigError);
    const notPem = path.join(path.dirname(caFile), 'not.pem');
    await writeFile(notPem, 'hello');
    expect(() => new SwasClients({ config: { ...base, caFile: notPem } })).toThrow(/holds no PEM certificate/);
  });

  it('`emulator --tls` writes the CA to --ca-file and prints how to point the worker at it', async () => {
    const stop = new AbortController();
    const file = path.join(path.dirname(caFile), 'cli-ca.pem');
    let printed = '';
    let ready: () => void = () => undefined;
    const printedOnce = new Promise<void>((resolve) => { ready = resolve; });
    const running = runEmulatorCommand({ port: '0', host: '127.0.0.1', faultSeed: '1', tls: true, caFile: file }, stop.signal, (t) => { printed += t; ready(); });
    await printedOnce;
    expect(printed).toMatch(/listening on https:\/\/127\.0\.0\.1:\d+/);
    expect(printed).toContain(`SWAS_CA_FILE=${file}`);
    expect(printed).toContain('rate limit: 10 calls per 1000 ms per AccessKey');
    stop.abort();
    await running;
  });

  it('`emulator --tls-cert/--tls-key` serves a certificate of your own', async () => {
    const identity = await generateTlsIdentity();
    const dir = path.dirname(caFile);
    await writeFile(path.join(dir, 'own.crt'), identity.cert);
    await writeFile(path.join(dir, 'own.key'), identity.key);
    const stop = new AbortController();
    let printed = '';
    let ready: () => void = () => undefined;
    const printedOnce = new Promise<void>((resolve) => { ready = resolve; });
    const running = runEmulatorCommand(
      { port: '0', host: '127.0.0.1', faultSeed: '1', tlsCert: path.join(dir, 'own.crt'), tlsKey: path.join(dir, 'own.key') },
      stop.signal, (t) => { printed += t; ready(); });
    await printedOnce;
    const endpoint = /listening on https:\/\/(127\.0\.0\.1:\d+)/.exec(printed)?.[1];
    expect(endpoint).toBeDefined();
    const client = new Client(new $OpenApiUtil.Config({ accessKeyId: 'x', accessKeySecret: 'y', endpoint, protocol: 'https', regionId: 'cn-hangzhou', ca: identity.caCert }));
    // The TLS handshake succeeded against our own CA: the refusal is the gateway's, about the key.
    const error = await client.listRegions(new ListRegionsRequest({})).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('InvalidAccessKeyId.NotFound');
    expect(printed).not.toContain('PRIVATE KEY');
    stop.abort();
    await running;
    await expect(runEmulatorCommand({ port: '0', host: '127.0.0.1', faultSeed: '1', tlsCert: 'only-cert.pem' }, AbortSignal.abort())).rejects.toThrow(/go together/);
  });
});
