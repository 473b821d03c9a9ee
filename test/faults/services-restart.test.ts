/**
 * The fault matrix, infrastructure side: Postgres restarted in the middle of a run (its region
 * transactions cut), and Redis restarted under a working worker (its queued jobs gone: no
 * persistence). PRIVATE servers (test/helpers/private-services.ts): the shared ones serve every
 * other test file at the same time.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { openDatabase } from '../../src/db/open-database.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import type { FaultWorld } from './harness.js';
import { createTestDatabase } from '../helpers/databases.js';
import { startPrivatePostgres, startPrivateRedis } from '../helpers/private-services.js';
import { uniquePrefix } from '../helpers/redis.js';
import { startTestWorker, startWorld, waitFor, workerConfig } from '../worker/worker-test-kit.js';
import { runFaultScenario } from './scenario.js';
import { SummaryRecorder } from './summary.js';
import { WorldLedger, expectCleanRun, sleep } from './worker-scenario.js';
import { enqueueRun } from '../../src/worker/enqueue-run.js';

const rec = new SummaryRecorder(import.meta.filename);
const knownCrashes = { count: 0 };
const MAIN = resolve(import.meta.dirname, '../../src/cli/main.ts');

interface CliRun {
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  exited: Promise<void>;
  stdout(): string;
  stderr(): string;
}

/** `swas-inventory sync` as a child process, on the world's account (same name, same key variables). */
function startCliSync(world: FaultWorld, databaseUrl: string): CliRun {
  const dir = mkdtempSync(join(tmpdir(), 'swas-pgr-'));
  const accountsFile = join(dir, 'accounts.json');
  writeFileSync(accountsFile, JSON.stringify({ accounts: [{ name: world.account.name, credentials: world.account.credentials }] }));
  const key = world.emu.accounts[0];
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'sync'], {
    env: {
      PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, SWAS_ENDPOINT: world.emu.url, SWAS_CONFIG: accountsFile,
      SWAS_REGIONS: world.view.regions.join(','), SWAS_PAGE_SIZE: String(world.config.pageSize),
      SWAS_READ_TIMEOUT_MS: String(world.config.readTimeoutMs), LOG_LEVEL: 'info',
      FW_AK: key?.accessKeyId ?? '', FW_SK: key?.accessKeySecret ?? '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString('utf8'); });
  child.stderr.on('data', (c: Buffer) => { err += c.toString('utf8'); });
  const run: CliRun = {
    exit: null,
    exited: new Promise((r) => child.once('exit', (code, signal) => { run.exit = { code, signal }; r(); })),
    stdout: () => out,
    stderr: () => err,
  };
  return run;
}

describe('fault matrix: Postgres and Redis restarts', () => {
  afterAll(() => {
    rec.part.knownCrashes = knownCrashes.count;
    rec.flush();
  });

  rec.scenario('Postgres restarted mid-run (transactions cut; the real CLI in a child process)', async () => {
    const pg = await startPrivatePostgres();
    const children: CliRun[] = [];
    try {
      await runFaultScenario(rec, {
        passes: 2, rounds: 1,
        faults: [{ kind: 'latency', ms: 900, match: { action: 'ListCustomImages' } }],
        database: async () => {
          const handle = await openDatabase({ databaseUrl: pg.adminUrl, maxConnections: 6 });
          await migrateDatabase(handle);
          return handle;
        },
        // The pass is `swas-inventory sync` in its own process: if the restart kills the process,
        // the test sees an exit, not an exception inside vitest.
        pass: async (world) => {
          const before = world.emu.callLog().length;
          const cli = startCliSync(world, pg.adminUrl);
          // Every region's transaction is open (lock taken, listing in flight) once its first page is asked for.
          await waitFor('the listings to be in flight', async () => {
            if (cli.exit !== null) throw new Error(`sync exited early: ${cli.stderr()}`);
            return world.emu.callLog().slice(before).filter((c) => c.action === 'ListCustomImages').length >= 3;
          }, 30_000, 20);
          const t0 = Date.now();
          await pg.restart();
          const t1 = Date.now();
          await cli.exited;
          process.stderr.write(`[pg-restart] restart ${t1 - t0} ms, cli exit after ${Date.now() - t1} ms\n`);
          children.push(cli);
          return null;
        },
      });
      expect(children).toHaveLength(2);
      for (const cli of children) {
        // It must end as a recorded failure (exit 1, regions failed), or, the known defect of
        // postgres.js 3.4.9 (porsager/postgres#1208), die on its unguarded nextWrite: any OTHER
        // crash fails here. Either way the data checks above and after hold.
        const crashed = /TypeError: Cannot read properties of null \(reading 'write'\)/.test(cli.stderr());
        if (crashed) {
          knownCrashes.count += 1;
          expect(cli.stderr()).toMatch(/postgres\/src\/connection\.js:\d+/);
        } else {
          // The one-shot sync retries a cut connection as transient (the shared retry policy), so
          // a restart short enough is absorbed: exit 0 with every region succeeded. Otherwise exit
          // 1 with the failed regions in its table, or, when Postgres was still down as the run
          // tried to record them, with the driver's connection error as its one-line message.
          if (cli.exit?.code === 0) {
            expect(cli.exit.signal).toBeNull();
            expect(cli.stdout()).toMatch(/succeeded/);
            expect(cli.stdout()).not.toMatch(/"status":\s*"failed"/);
            expect(cli.stderr()).not.toMatch(/^\s+at /m); // no stack trace
            continue;
          }
          expect(cli.exit, cli.stderr()).toEqual({ code: 1, signal: null });
          if (cli.stdout() === '') expect(cli.stderr()).toMatch(/^swas-inventory: .*(connect|terminat|closed|shutting down|starting up|ECONNREFUSED|ECONNRESET|EPIPE)/im);
          else expect(cli.stdout()).toMatch(/failed/);
          expect(cli.stderr()).not.toMatch(/^\s+at /m); // no stack trace
        }
      }
    } finally {
      await pg.destroy();
    }
  }, 120_000);

  rec.scenario('Redis restarted under a working worker (queued jobs lost, worker reconnects)', async () => {
    const redis = await startPrivateRedis();
    const world = await startWorld({ accounts: 2, regions: ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'], imagesPerRegion: 4 });
    const db = await createTestDatabase('postgres');
    const prefix = uniquePrefix('fredis');
    const worker = await startTestWorker(world, workerConfig(world, db.url as string, prefix, { REDIS_URL: redis.url }), {
      database: db, tuning: { concurrency: 3, lockDurationMs: 3_000, stalledIntervalMs: 1_000 },
    });
    try {
      const ledger = new WorldLedger(world, rec.eventStats);
      await expectCleanRun(worker.runsQueue, db.db, 6);
      await ledger.checkpoint(db.db);

      ledger.change(1);
      world.emu.setFaults([{ kind: 'latency', ms: 1_500, match: { action: 'ListCustomImages' } }]);
      await enqueueRun(worker.runsQueue);
      await waitFor('region jobs to be active', async () => (await worker.regionsQueue.getActiveCount()) >= 2, 20_000, 20);
      await redis.kill();
      await sleep(1_000);
      await redis.start();
      await sleep(1_500); // the jobs in flight end against an empty Redis
      await ledger.trueSoFar(db.db);

      world.emu.clearFaults();
      // The same worker, reconnected, runs a new run to the end.
      await expectCleanRun(worker.runsQueue, db.db, 6);
      await ledger.checkpoint(db.db);
    } finally {
      await worker.close();
      await world.emu.stop();
      await db.close();
      await redis.stop();
    }
  }, 90_000);
});
