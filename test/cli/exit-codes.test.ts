/**
 * The README's exit-code table, each code produced by the built program as a user's shell would
 * see it (src/cli/exit-codes.ts): 1 a failure (PostgreSQL unreachable), 2 a usage error, 0 for a
 * daemon (emulator, console) stopped by SIGINT / SIGTERM once it has closed, 143 for a command
 * (`history --follow`) that SIGTERM interrupts, 70 for an embedded-database command whose folder
 * lock is taken from it. (0 for `--version`: test/cli/startup-imports.test.ts; 130 for SIGINT:
 * test/reports/history-follow.test.ts and test/cli/sync-command.test.ts.)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabaseUrl } from '../helpers/databases.js';
import { freePort } from '../helpers/private-services.js';
import { killIfRunning, launch, runProcess, USER_ENV, type Launched } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';

describe('exit codes of the built program', () => {
  let db: { url: string; drop: () => Promise<void> };
  let dir: string;
  const started: Launched[] = [];
  const start = (args: string[], env: Record<string, string>): Launched => {
    const p = launch(args, { ...USER_ENV, SWAS_DATA_DIR: join(dir, 'unused'), ...env });
    started.push(p);
    return p;
  };

  beforeAll(async () => {
    db = await createTestDatabaseUrl();
    dir = mkdtempSync(join(tmpdir(), 'swas-exit-codes-'));
  });
  afterEach(async () => {
    for (const p of started.splice(0)) await killIfRunning(p);
  });
  afterAll(async () => {
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('2 for a usage error, 1 when PostgreSQL cannot be reached', async () => {
    const usage = await runProcess(['images', '--format', 'xml'], { ...USER_ENV });
    expect(usage.code, usage.stderr).toBe(2);
    const closed = await freePort(); // nothing listens there
    const unreachable = await runProcess(['images'], { ...USER_ENV, DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/postgres` });
    expect(unreachable.code, unreachable.stderr).toBe(1);
    expect(unreachable.stderr).toMatch(/PostgreSQL/);
  });

  it('daemons stopped by a signal exit 0 once closed: emulator (SIGINT, SIGTERM), console (SIGTERM)', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const emulator = start(['emulator', '--port', '0'], {});
      await emulator.output('listening on', 'stdout');
      emulator.child.kill(signal);
      expect((await emulator.exited).code, emulator.stderr()).toBe(0);
    }
    const console_ = start(['console', '--port', '0'], { DATABASE_URL: db.url });
    await console_.output('console: http', 'stdout');
    console_.child.kill('SIGTERM');
    const exit = await console_.exited;
    expect(exit, console_.stderr()).toMatchObject({ code: 0, signal: null });
  });

  it('143 for a command SIGTERM interrupts (history --follow)', async () => {
    const follow = start(['history', '--follow'], { DATABASE_URL: db.url, LOG_LEVEL: 'info' });
    await follow.output('following changes');
    follow.child.kill('SIGTERM');
    expect((await follow.exited).code, follow.stderr()).toBe(143);
  });

  it('70 when the embedded database\'s lock is taken from a command that holds it', { timeout: 180_000 }, async () => {
    // An API that accepts connections and never answers keeps the sync holding the folder.
    const sockets = new Set<Socket>();
    const silent: Server = createServer((s) => { sockets.add(s); s.on('error', () => {}); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const dataDir = join(dir, 'embedded');
      const lock = join(dataDir, 'pgdata.lock');
      const sync = start(['sync'], {
        SWAS_DATA_DIR: dataDir, SWAS_ENDPOINT: `http://127.0.0.1:${port}`, SWAS_REGIONS: 'cn-hangzhou',
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIexitcodes', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret-exit-codes',
      });
      await waitFor('the sync to hold the folder', () => existsSync(lock) && existsSync(join(dataDir, 'pgdata.holder.json')), { timeoutMs: 120_000, until: sync });
      // What a waiter does when it takes a folder over as stale: the holder's lock is gone.
      rmSync(lock, { recursive: true, force: true });
      const exit = await sync.exited;
      expect(exit.code, sync.stderr()).toBe(70);
      expect(sync.stderr()).toMatch(/^swas-inventory: lost the lock of the embedded database .*pgdata \(.*\); stopping \(exit 70\)$/m);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
