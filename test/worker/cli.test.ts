// @long-running: one case waits out the 10 s no-answer bound
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { loadConfig } from '../../src/config/env.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { registerWorkerCommands } from '../../src/cli/commands/worker.js';
import { runCli } from '../../src/cli/program.js';
import type { WorkerHandle } from '../../src/worker/start-worker.js';
import { createTestDatabase } from '../helpers/databases.js';
import { uniquePrefix } from '../helpers/redis.js';
import { deletePrefix, runRow, startTestWorker, startWorld, workerConfig, type World } from './worker-test-kit.js';

describe('worker CLI: enqueue', () => {
  let world: World;
  let db: DatabaseHandle;
  let handle: WorkerHandle;
  const prefix = uniquePrefix('cli');

  beforeAll(async () => {
    world = await startWorld({ accounts: 2, regions: ['cn-hangzhou', 'ap-southeast-1'], imagesPerRegion: 2 });
    db = await createTestDatabase('postgres');
    handle = await startTestWorker(world, workerConfig(world, db.url!, prefix), { database: db });
  });
  afterAll(async () => {
    await handle?.close();
    await deletePrefix(prefix);
    await db?.close();
    await world?.emu.stop();
  });

  async function cli(args: string[]): Promise<string> {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
    const program = new Command().exitOverride();
    registerWorkerCommands(program, { loadConfig: () => workerConfig(world, db.url!, prefix), stdout: out });
    await program.parseAsync(['node', 'swas-inventory', ...args]);
    return text;
  }

  it('enqueues a run that the running worker picks up; --wait --json reports its summary', async () => {
    const before = process.exitCode;
    const output = JSON.parse(await cli(['enqueue', '--wait', '--json', '--timeout', '60000'])) as Record<string, unknown>;
    expect(output).toMatchObject({ status: 'succeeded', regionsTotal: 4, regionsSucceeded: 4, regionsFailed: 0, error: null });
    expect(await runRow(db.db, output.runId as string)).toMatchObject({ trigger: 'manual', status: 'succeeded' });
    expect(process.exitCode).toBe(before);
  });

  it('without --wait prints the queued run id at once', async () => {
    const output = JSON.parse(await cli(['enqueue', '--json'])) as { runId: string; status: string; jobId: string };
    expect(output.status).toBe('queued');
    expect(output.jobId).toBe(`manual~${output.runId}`);
    expect(await handle.runsQueue.getJob(output.jobId)).toBeDefined();
  });

  it('--format like every command: JSON by default when piped, a one-row CSV with the same keys', async () => {
    const piped = JSON.parse(await cli(['enqueue'])) as { status: string };
    expect(piped.status).toBe('queued');
    const csv = (await cli(['enqueue', '--format', 'csv'])).split('\r\n');
    expect(csv[0]).toBe('runId,jobId,status');
    expect(csv[1]).toMatch(/^[0-9a-f-]{36},manual~[0-9a-f-]{36},queued$/);
  });
});

describe('worker CLI: configuration errors exit 2', () => {
  it('worker with DATABASE_URL unset exits 2 with one line (the queue processes share PostgreSQL)', async () => {
    const saved = { DATABASE_URL: process.env.DATABASE_URL, LOG_LEVEL: process.env.LOG_LEVEL };
    delete process.env.DATABASE_URL;
    process.env.LOG_LEVEL = 'silent';
    let stderr = '';
    const capture = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
    let code: number;
    try {
      code = await runCli(['node', 'swas-inventory', 'worker', '--no-schedule']);
    } finally {
      capture.mockRestore();
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    expect(code).toBe(2);
    expect(stderr).toMatch(/^swas-inventory: The worker needs PostgreSQL: set DATABASE_URL [^\n]+\n$/);
  });
});

describe('worker CLI: every command ends when Redis cannot be reached', () => {
  async function enqueueWith(redisUrl: string): Promise<{ error: Error; ms: number }> {
    const program = new Command().exitOverride();
    registerWorkerCommands(program, { loadConfig: () => loadConfig({ REDIS_URL: redisUrl, LOG_LEVEL: 'silent' }), stdout: new PassThrough() });
    const started = Date.now();
    const error = await program.parseAsync(['node', 'swas-inventory', 'enqueue']).then(() => new Error('enqueue succeeded'), (e: unknown) => e as Error);
    return { error, ms: Date.now() - started };
  }

  it('a closed port: one line naming Redis and the address, well within 60 s', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const { error, ms } = await enqueueWith(`redis://:hunter2@127.0.0.1:${port}`);
    expect(error.message).toMatch(new RegExp(`^cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port} \\(REDIS_URL\\): .*ECONNREFUSED`));
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('\n');
    expect(ms).toBeLessThan(60_000);
  });

  it('a host that accepts the connection and never answers: the same, within 60 s', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => { sockets.push(s); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    try {
      const { error, ms } = await enqueueWith(`redis://127.0.0.1:${port}`);
      expect(error.message).toMatch(/^cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ \(REDIS_URL\): no answer within \d+ ms/);
      expect(ms).toBeLessThan(60_000);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
