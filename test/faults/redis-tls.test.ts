/**
 * TLS to Redis with a private CA (issue 20): a private redis-server serving only TLS, with a
 * certificate the test makes (a throw-away CA signing one for 127.0.0.1). With `rediss://` and
 * REDIS_CA_FILE the worker and `enqueue --wait` work; a wrong CA, or a host name the certificate
 * does not name, ends `enqueue` and the worker with one line naming Redis and the TLS reason, exit 1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { registerWorkerCommands } from '../../src/cli/commands/worker.js';
import type { Config } from '../../src/config/env.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { generateTlsIdentity } from '../../src/emulator/tls-certificate.js';
import { silentLogger } from '../../src/ops/logger.js';
import { startWorker, type WorkerHandle } from '../../src/worker/start-worker.js';
import { createTestDatabase } from '../helpers/databases.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-services.js';
import { startTestWorker, startWorld, workerConfig, type World } from '../worker/worker-test-kit.js';

describe('TLS to Redis with a private CA', () => {
  const dir = mkdtempSync(join(tmpdir(), 'swas-redis-tls-'));
  const files = { cert: join(dir, 'server.pem'), key: join(dir, 'server-key.pem'), ca: join(dir, 'ca.pem'), otherCa: join(dir, 'other-ca.pem') };
  let redis: PrivateRedis;
  let world: World;
  let db: DatabaseHandle;
  let handle: WorkerHandle | undefined;

  beforeAll(async () => {
    // The server's certificate names localhost, 127.0.0.1 and ::1; 127.0.0.2 reaches it too but is not named.
    const [identity, other] = await Promise.all([generateTlsIdentity(), generateTlsIdentity()]);
    writeFileSync(files.cert, identity.cert);
    writeFileSync(files.key, identity.key, { mode: 0o600 });
    writeFileSync(files.ca, identity.caCert);
    writeFileSync(files.otherCa, other.caCert);
    redis = await startPrivateRedis({ tls: files, bind: ['127.0.0.1', '127.0.0.2'] });
    world = await startWorld({ accounts: 1, regions: ['cn-hangzhou', 'cn-shanghai'], imagesPerRegion: 2 });
    db = await createTestDatabase('postgres');
  }, 60_000);
  afterAll(async () => {
    await handle?.close();
    await db?.close();
    await world?.emu.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const configWith = (redisUrl: string, caFile: string): Config =>
    ({ ...workerConfig(world, db.url!, 'swas'), redisUrl, redisCaFile: caFile });

  async function enqueue(config: Config, args: string[] = []): Promise<{ text: string; error: unknown }> {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
    const program = new Command().exitOverride();
    registerWorkerCommands(program, { loadConfig: () => config, stdout: out });
    const error = await program.parseAsync(['node', 'swas-inventory', 'enqueue', ...args]).then(() => null, (e: unknown) => e);
    return { text, error };
  }

  it('rediss:// with REDIS_CA_FILE: the worker runs, enqueue --wait reports the run', async () => {
    const config = configWith(redis.url, files.ca);
    handle = await startTestWorker(world, config, { database: db, schedule: false });
    const { text, error } = await enqueue(config, ['--wait', '--json', '--timeout', '60000']);
    expect(error).toBeNull();
    expect(JSON.parse(text)).toMatchObject({ status: 'succeeded', regionsTotal: 2, regionsSucceeded: 2 });
    await handle.close();
    handle = undefined;
  }, 90_000);

  it('a wrong CA: one line naming Redis and the TLS reason, exit 1, for enqueue and the worker', async () => {
    const config = configWith(redis.url, files.otherCa);
    const { error } = await enqueue(config);
    const message = (error as Error).message;
    expect(message).toMatch(/^cannot reach Redis at rediss:\/\/127\.0\.0\.1:\d+ \(REDIS_URL\): .*(certificate|CERT)/);
    expect(message).not.toContain('\n');
    expect(exitCodeFor(error)).toBe(1);
    const workerError = await startWorker({ config, accounts: world.accounts, env: world.env, logger: silentLogger(), database: db, httpPort: false })
      .then(() => null, (e: unknown) => e);
    expect((workerError as Error).message).toBe(message);
    expect(exitCodeFor(workerError)).toBe(1);
  }, 60_000);

  it('a host name the certificate does not name: one line naming Redis and the mismatch, exit 1', async () => {
    const { error } = await enqueue(configWith(redis.url.replace('127.0.0.1', '127.0.0.2'), files.ca));
    const message = (error as Error).message;
    expect(message).toMatch(/^cannot reach Redis at rediss:\/\/127\.0\.0\.2:\d+ \(REDIS_URL\): ERR_TLS_CERT_ALTNAME_INVALID \(.*127\.0\.0\.2.*\)/);
    expect(message).not.toContain('\n');
    expect(exitCodeFor(error)).toBe(1);
  }, 60_000);
});
