// @long-running: restarts a private Postgres 11 times
/**
 * The daemon's side of "Postgres restarted mid-run": a worker PROCESS on a private Postgres cluster
 * (test/helpers/private-services.ts) has region jobs in flight when the server restarts, once and
 * then ten times in a row. Its region transactions are cut; the jobs must be retried (transient)
 * and the process must live (postgres.js 3.4.x killed it here: porsager/postgres#1208, #1192,
 * docs/RELIABILITY.md). The database must converge exactly with exact events.
 */
import { afterAll, describe, expect } from 'vitest';
import type { Queue } from 'bullmq';
import type { DatabaseHandle } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/open-database.js';
import { enqueueRun, waitForRun } from '../../src/worker/enqueue-run.js';
import type { PlanJobData } from '../../src/worker/job-data.js';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-services.js';
import { openTestQueues } from '../helpers/redis.js';
import { killWorker, spawnWorker, waitForWorkerStarted, type WorkerProcess } from '../helpers/worker-process.js';
import { startWorld, waitFor } from '../worker/worker-test-kit.js';
import { SummaryRecorder } from './summary.js';
import { WorldLedger } from './worker-scenario.js';

const rec = new SummaryRecorder(import.meta.filename);
const LIST = 'ListCustomImages';

interface Stage {
  pg: PrivatePostgres;
  world: Awaited<ReturnType<typeof startWorld>>;
  runs: Queue<PlanJobData>;
  proc: WorkerProcess;
  ledger: WorldLedger;
  openReader(): Promise<DatabaseHandle>;
}

/** A worker process on a fresh private Postgres, after one clean baseline run (checked exact). */
async function withStage(body: (s: Stage) => Promise<void>): Promise<void> {
  const pg = await startPrivatePostgres();
  const world = await startWorld({ accounts: 2, regions: ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'], imagesPerRegion: 4 });
  const queues = openTestQueues('fpgw');
  const { prefix, runs } = queues;
  const args = ['--no-schedule', '--concurrency', '6', '--lock-duration', '2000', '--stalled-interval', '700'];
  const proc = spawnWorker(world, pg.adminUrl, prefix, args);
  const openReader = async () => openDatabase({ databaseUrl: pg.adminUrl, maxConnections: 2 });
  try {
    await waitForWorkerStarted(proc); // it migrated the fresh cluster
    const reader = await openReader();
    const ledger = new WorldLedger(world, rec.eventStats);
    try {
      const baseline = await waitForRun(reader.db, (await enqueueRun(runs)).runId, { timeoutMs: 60_000, pollMs: 100 });
      expect(baseline.status).toBe('succeeded');
      await ledger.checkpoint(reader.db);
    } finally {
      await reader.close(); // no query of ours in flight across the restarts
    }
    await body({ pg, world, runs, proc, ledger, openReader });
    expect(proc.child.exitCode, proc.logs()).toBeNull();
    expect(proc.logs()).not.toMatch(/uncaught|TypeError/i);
  } finally {
    await killWorker(proc);
    await queues.close();
    await world.emu.stop();
    await pg.destroy();
  }
}

/** Region transactions open: listings (slowed down) in flight for at least `n` regions. */
async function listingsInFlight(s: Stage, n: number): Promise<void> {
  const before = s.world.emu.callLog().length;
  await waitFor('region transactions open', async () => s.world.emu.callLog().slice(before).filter((c) => c.action === LIST).length >= n, 30_000, 10);
}

/** The run to its end, then a clean run, then the exact-inventory check. */
async function convergesAfter(s: Stage, runId: string, interruptedMustSucceed: boolean): Promise<void> {
  const reader = await s.openReader();
  try {
    const run = await waitForRun(reader.db, runId, { timeoutMs: 90_000, pollMs: 200 });
    if (interruptedMustSucceed) expect(run, JSON.stringify(run.error)).toMatchObject({ status: 'succeeded', regionsTotal: 6, regionsSucceeded: 6 });
    await s.ledger.trueSoFar(reader.db);
    const clean = await waitForRun(reader.db, (await enqueueRun(s.runs)).runId, { timeoutMs: 60_000, pollMs: 100 });
    expect(clean, JSON.stringify(clean.error)).toMatchObject({ status: 'succeeded', regionsTotal: 6, regionsSucceeded: 6 });
    await s.ledger.checkpoint(reader.db);
  } finally {
    await reader.close();
  }
}

describe('fault matrix: Postgres restarted under a worker process', () => {
  afterAll(() => { rec.flush(); });

  rec.scenario('Postgres restarted mid-run under a worker process (jobs retried, the process lives, same run finishes)', async () => {
    await withStage(async (s) => {
      s.ledger.change(1);
      s.world.emu.setFaults([{ kind: 'latency', ms: 1_200, match: { action: LIST } }]);
      const { runId } = await enqueueRun(s.runs);
      await listingsInFlight(s, 4);
      await s.pg.restart();
      s.world.emu.clearFaults();
      expect(s.proc.child.exitCode, s.proc.logs()).toBeNull();
      await convergesAfter(s, runId, true);
    });
  }, 150_000);

  rec.scenario('10 fast Postgres restarts in a row under a worker process (no death, the next run exact)', async () => {
    await withStage(async (s) => {
      s.ledger.change(1);
      s.world.emu.setFaults([{ kind: 'latency', ms: 300, match: { action: LIST } }]);
      const { runId } = await enqueueRun(s.runs);
      await listingsInFlight(s, 2);
      const started = Date.now();
      for (let i = 0; i < 10; i += 1) {
        await s.pg.restart();
        expect(s.proc.child.exitCode, `worker died at restart ${i + 1}:\n${s.proc.logs()}`).toBeNull();
      }
      process.stderr.write(`[pg-restarts] 10 restarts in ${Date.now() - started} ms\n`);
      s.world.emu.clearFaults();
      // The interrupted run ends (its regions may have failed past their retries); the next one is clean.
      await convergesAfter(s, runId, false);
    });
  }, 240_000);
});
