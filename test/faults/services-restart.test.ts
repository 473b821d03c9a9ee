/**
 * The fault matrix, infrastructure side: Postgres restarted in the middle of a run (its region
 * transactions cut), and Redis restarted under a working worker (its queued jobs gone: no
 * persistence). PRIVATE servers (test/helpers/private-services.ts): the shared ones serve every
 * other test file at the same time.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { openDatabase } from '../../src/db/open-database.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import type { FaultWorld } from './harness.js';
import { createTestDatabase } from '../helpers/databases.js';
import { startPrivatePostgres, startPrivateRedis } from '../helpers/private-services.js';
import { launch, type Launched } from '../helpers/processes.js';
import { uniquePrefix } from '../helpers/redis.js';
import { startTestWorker, startWorld, waitFor, workerConfig } from '../worker/worker-test-kit.js';
import { runFaultScenario } from './scenario.js';
import { SummaryRecorder } from './summary.js';
import { WorldLedger, expectCleanRun, sleep } from './worker-scenario.js';
import { enqueueRun } from '../../src/worker/enqueue-run.js';

const rec = new SummaryRecorder(import.meta.filename);
/** `swas-inventory sync` as a child process (the built binary), on the world's account (same name, same key variables). */
function startCliSync(world: FaultWorld, databaseUrl: string): Launched {
  const dir = mkdtempSync(join(tmpdir(), 'swas-pgr-'));
  const accountsFile = join(dir, 'accounts.json');
  writeFileSync(accountsFile, JSON.stringify({ accounts: [{ name: world.account.name, credentials: world.account.credentials }] }));
  const key = world.emu.accounts[0];
  return launch(['sync'], {
    DATABASE_URL: databaseUrl, SWAS_ENDPOINT: world.emu.url, SWAS_CONFIG: accountsFile,
    SWAS_REGIONS: world.view.regions.join(','), SWAS_PAGE_SIZE: String(world.config.pageSize),
    SWAS_READ_TIMEOUT_MS: String(world.config.readTimeoutMs), LOG_LEVEL: 'info',
    FW_AK: key?.accessKeyId ?? '', FW_SK: key?.accessKeySecret ?? '',
  });
}

describe('fault matrix: Postgres and Redis restarts', () => {
  afterAll(() => {
    rec.flush();
  });

  rec.scenario('Postgres restarted mid-run (transactions cut; the real CLI in a child process)', async () => {
    const pg = await startPrivatePostgres();
    const children: Launched[] = [];
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
          await waitFor('the last pass\'s listings answered', () => world.emu.inFlight() === 0, { pollMs: 10 });
          const cli = startCliSync(world, pg.adminUrl);
          // Every region's transaction is open (lock taken, listing in flight) once its first page is
          // asked for: the three regions' listings held by the latency at once. (Not the call log,
          // which records a call once answered: under load three answers took longer than the wait.)
          await waitFor('the three regions\' listings in flight', () => world.emu.inFlight() >= world.view.regions.length,
            { pollMs: 10, until: cli });
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
        // It must end as a recorded failure (exit 1, regions failed) or a success; never a crash
        // (postgres.js 3.4.x died here of porsager/postgres#1208's nextWrite; 4.x does not).
        expect(cli.stderr()).not.toMatch(/TypeError|uncaught/i);
        const exit = cli.exit();
        // The one-shot sync retries a cut connection as transient (the shared retry policy), so
        // a restart short enough is absorbed: exit 0 with every region succeeded. Otherwise exit
        // 1 with the failed regions in its table, or, when Postgres was still down as the run
        // tried to record them, with the driver's connection error as its one-line message.
        if (exit?.code === 0) {
          expect(exit.signal).toBeNull();
          expect(cli.stdout()).toMatch(/succeeded/);
          expect(cli.stdout()).not.toMatch(/"status":\s*"failed"/);
          expect(cli.stderr()).not.toMatch(/^\s+at /m); // no stack trace
          continue;
        }
        expect(exit, cli.stderr()).toEqual({ code: 1, signal: null });
        if (cli.stdout() === '') expect(cli.stderr()).toMatch(/^swas-inventory: .*(connect|terminat|closed|shutting down|starting up|ECONNREFUSED|ECONNRESET|EPIPE)/im);
        else expect(cli.stdout()).toMatch(/failed/);
        expect(cli.stderr()).not.toMatch(/^\s+at /m); // no stack trace
      }
    } finally {
      await pg.destroy();
    }
  }, 180_000); // a restart and two passes of a real process, on a loaded machine

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
      await sleep(1_000); // the outage
      await redis.start();
      // The jobs in flight end against an empty Redis once their listings are answered.
      await waitFor('the listings in flight to be answered', () => world.emu.inFlight() === 0, { pollMs: 20 });
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
