/**
 * The fault matrix, worker side (BullMQ on the shared Redis under this test's own prefix): a
 * worker process SIGKILLed in the middle of its region jobs, and two workers running two
 * overlapping runs under API faults. Each: baseline run -> checkpoint -> real changes -> the
 * fault -> nothing false recorded so far -> clean run -> exact convergence and exact events.
 */
import { afterAll, describe, expect } from 'vitest';
import { eq } from 'drizzle-orm';
import { regionSyncs } from '../../src/db/schema.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { enqueueRun, waitForRun } from '../../src/worker/enqueue-run.js';
import type { WorkerHandle } from '../../src/worker/start-worker.js';
import { createTestDatabase } from '../helpers/databases.js';
import { deletePrefix, uniquePrefix } from '../helpers/redis.js';
import { killWorker, startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';
import { startTestWorker, startWorld, waitFor, workerConfig, type World } from '../worker/worker-test-kit.js';
import { SummaryRecorder } from './summary.js';
import { WorldLedger, expectCleanRun } from './worker-scenario.js';

const rec = new SummaryRecorder(import.meta.filename);
const REGIONS = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'];
const LIST = 'ListCustomImages';

async function withWorld(label: string, body: (w: { world: World; db: DatabaseHandle; prefix: string; ledger: WorldLedger }) => Promise<void>): Promise<void> {
  const world = await startWorld({ accounts: 2, regions: REGIONS, imagesPerRegion: 4 });
  const db = await createTestDatabase('postgres');
  const prefix = uniquePrefix(label);
  try {
    await body({ world, db, prefix, ledger: new WorldLedger(world, rec.eventStats) });
  } finally {
    await world.emu.stop();
    await deletePrefix(prefix);
    await db.close();
  }
}

describe('fault matrix: worker crashes and overlapping runs', () => {
  afterAll(() => { rec.flush(); });

  rec.scenario('a worker SIGKILLed mid-region (its jobs re-run as stalled jobs by another worker)', async () => {
    await withWorld('fkill', async ({ world, db, prefix, ledger }) => {
      const timings = { lockDurationMs: 2_000, stalledIntervalMs: 700 };
      let proc: WorkerProcess | undefined;
      let survivor: WorkerHandle | undefined = await startTestWorker(world, workerConfig(world, db.url as string, prefix), { database: db, tuning: timings });
      try {
        await expectCleanRun(survivor.runsQueue, db.db, 6);
        await ledger.checkpoint(db.db);
        await survivor.close();
        survivor = undefined;

        ledger.change(1);
        world.emu.setFaults([{ kind: 'latency', ms: 1_200, match: { action: LIST } }]);
        proc = await startWorkerProcess(world, db.url as string, prefix, ['--no-schedule', '--concurrency', '3', '--lock-duration', '2000', '--stalled-interval', '700']);
        const victim = await startTestWorker(world, workerConfig(world, db.url as string, prefix), { database: db, tuning: { ...timings, concurrency: 1 } });
        const { runId } = await enqueueRun(victim.runsQueue);
        await victim.close(); // only enqueued; the child process takes the region jobs
        await waitFor('region jobs in flight in the child', async () => world.emu.callLog().filter((c) => c.action === LIST).length >= 3, 20_000, 10);
        proc.child.kill('SIGKILL');
        expect(await proc.exited).toEqual({ code: null, signal: 'SIGKILL' });

        world.emu.clearFaults();
        survivor = await startTestWorker(world, workerConfig(world, db.url as string, prefix), { database: db, tuning: timings });
        const run = await waitForRun(db.db, runId, { timeoutMs: 60_000, pollMs: 100 });
        // The killed jobs came back and finished the SAME run: every region of it committed once.
        expect(run).toMatchObject({ status: 'succeeded', regionsTotal: 6, regionsSucceeded: 6 });
        await ledger.trueSoFar(db.db);

        await expectCleanRun(survivor.runsQueue, db.db, 6);
        await ledger.checkpoint(db.db);
      } finally {
        await killWorker(proc);
        await survivor?.close();
      }
    });
  }, 120_000);

  rec.scenario('two workers, two overlapping runs, under 500s, throttling and latency', async () => {
    await withWorld('fovl', async ({ world, db, prefix, ledger }) => {
      const config = workerConfig(world, db.url as string, prefix);
      const tuning = { concurrency: 3, lockDurationMs: 3_000, stalledIntervalMs: 1_000 };
      const a = await startTestWorker(world, config, { database: db, tuning });
      const b = await startTestWorker(world, config, { database: db, tuning });
      try {
        await expectCleanRun(a.runsQueue, db.db, 6);
        await ledger.checkpoint(db.db);

        for (const round of [1, 2]) {
          ledger.change(round);
          world.emu.setFaults([
            { kind: 'latency', minMs: 50, maxMs: 400, match: { action: LIST } },
            { kind: 'error', code: 'InternalError', status: 500, rate: 0.2, match: { action: LIST } },
            { kind: 'throttle', retryAfterMs: 150, rate: 0.15, match: { action: LIST } },
          ]);
          const first = await enqueueRun(a.runsQueue);
          const second = await enqueueRun(b.runsQueue);
          const runs = await Promise.all([first, second].map((r) => waitForRun(db.db, r.runId, { timeoutMs: 90_000, pollMs: 100 })));
          // A region held by one run is left out of the other (its claim) and named there, so each
          // run accounts for every region, together they sync every region, and each at most once.
          // A run that left regions out is not `succeeded`.
          let attempted = 0;
          for (const run of runs) {
            const rows = await db.db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, run.id));
            const leftOut = rows.filter((r) => r.status === 'skipped');
            expect(rows).toHaveLength(6);
            expect(run.regionsTotal).toBe(6);
            for (const r of leftOut) expect(r.errorCode).toBe('HeldByEarlierRun');
            if (leftOut.length > 0) expect(run.status).not.toBe('succeeded');
            attempted += rows.length - leftOut.length;
          }
          expect(attempted).toBeGreaterThanOrEqual(6);
          await ledger.trueSoFar(db.db);

          world.emu.clearFaults();
          await expectCleanRun(b.runsQueue, db.db, 6);
          await ledger.checkpoint(db.db);
        }
      } finally {
        await a.close();
        await b.close();
      }
    });
  }, 150_000);
});
