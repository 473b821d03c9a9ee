/**
 * The daemon's side of "Postgres restarted mid-run": a worker PROCESS on a private Postgres cluster
 * (test/helpers/private-services.ts) has region jobs in flight when the server restarts. Its region
 * transactions are cut; the jobs must be retried (transient) or, if the process dies of the known
 * postgres.js 3.4.9 defect (docs/RELIABILITY.md), recovered as stalled jobs by another worker. The
 * same run must still finish, and the database converge exactly with exact events.
 */
import { afterAll, describe, expect } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { DatabaseHandle } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/open-database.js';
import { enqueueRun, waitForRun } from '../../src/worker/enqueue-run.js';
import type { PlanJobData } from '../../src/worker/job-data.js';
import { RUNS_QUEUE } from '../../src/worker/queue-names.js';
import type { WorkerHandle } from '../../src/worker/start-worker.js';
import { startPrivatePostgres } from '../helpers/private-services.js';
import { testRedisUrl, uniquePrefix } from '../helpers/redis.js';
import { spawnWorker, type WorkerProcess } from '../worker/process-kit.js';
import { deletePrefix, startTestWorker, startWorld, waitFor, workerConfig } from '../worker/worker-test-kit.js';
import { SummaryRecorder } from './summary.js';
import { WorldLedger } from './worker-scenario.js';

const rec = new SummaryRecorder(import.meta.filename);
const LIST = 'ListCustomImages';
const KNOWN_DEFECT = /TypeError: Cannot read properties of null \(reading 'write'\)/;

describe('fault matrix: Postgres restarted under a worker process', () => {
  afterAll(() => { rec.flush(); });

  rec.scenario('Postgres restarted mid-run under a worker process (jobs retried or recovered, same run finishes)', async () => {
    const pg = await startPrivatePostgres();
    const world = await startWorld({ accounts: 2, regions: ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'], imagesPerRegion: 4 });
    const prefix = uniquePrefix('fpgw');
    const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: null });
    const runs = new Queue<PlanJobData>(RUNS_QUEUE, { connection: redis, prefix });
    const args = ['--no-schedule', '--concurrency', '6', '--lock-duration', '2000', '--stalled-interval', '700'];
    const proc = spawnWorker(world, pg.adminUrl, prefix, args);
    let rescuer: WorkerHandle | undefined;
    let reader: DatabaseHandle | undefined;
    const openReader = async () => openDatabase({ databaseUrl: pg.adminUrl, maxConnections: 2 });
    try {
      const started = (p: WorkerProcess) => waitFor('the worker process to start', async () => {
        if (p.child.exitCode !== null) throw new Error(`worker exited early:\n${p.logs()}`);
        return p.logs().includes('"worker started"');
      }, 40_000);
      await started(proc); // it migrated the fresh cluster
      reader = await openReader();
      const ledger = new WorldLedger(world, rec.eventStats);
      const baseline = await waitForRun(reader.db, (await enqueueRun(runs)).runId, { timeoutMs: 60_000, pollMs: 100 });
      expect(baseline.status).toBe('succeeded');
      await ledger.checkpoint(reader.db);

      ledger.change(1);
      world.emu.setFaults([{ kind: 'latency', ms: 1_200, match: { action: LIST } }]);
      const before = world.emu.callLog().length;
      const { runId } = await enqueueRun(runs);
      await waitFor('region transactions open', async () => world.emu.callLog().slice(before).filter((c) => c.action === LIST).length >= 4, 30_000, 10);
      await reader.close(); // no query of ours in flight across the restart
      reader = undefined;
      await pg.restart();
      world.emu.clearFaults();

      // Either the worker survives (its cut jobs fail as transient and are retried), or it dies of
      // the known driver defect and another worker recovers its jobs as stalled ones. Nothing else.
      const died = await Promise.race([proc.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 3_000))]);
      if (died) {
        expect(proc.logs(), 'the only death allowed is the known postgres.js defect').toMatch(KNOWN_DEFECT);
        rec.part.knownCrashes = (rec.part.knownCrashes ?? 0) + 1;
        reader = await openReader();
        rescuer = await startTestWorker(world, workerConfig(world, pg.adminUrl, prefix), {
          database: reader, tuning: { lockDurationMs: 2_000, stalledIntervalMs: 700, concurrency: 6 },
        });
      } else {
        reader = await openReader();
      }
      const run = await waitForRun(reader.db, runId, { timeoutMs: 60_000, pollMs: 200 });
      expect(run, JSON.stringify(run.error)).toMatchObject({ status: 'succeeded', regionsTotal: 6, regionsSucceeded: 6 });
      await ledger.trueSoFar(reader.db);

      const clean = await waitForRun(reader.db, (await enqueueRun(runs)).runId, { timeoutMs: 60_000, pollMs: 100 });
      expect(clean.status).toBe('succeeded');
      await ledger.checkpoint(reader.db);
      if (!died) expect(proc.logs()).not.toMatch(/uncaught|TypeError/i);
    } finally {
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill('SIGKILL');
        await proc.exited;
      }
      await rescuer?.close();
      await reader?.close();
      await runs.close();
      redis.disconnect();
      await deletePrefix(prefix);
      await world.emu.stop();
      await pg.destroy();
    }
  }, 150_000);
});
