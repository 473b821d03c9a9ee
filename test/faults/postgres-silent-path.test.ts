// @long-running: 60 s of silence on the Postgres path
/**
 * A silent network path between a worker PROCESS and Postgres (issue 20): a loopback TCP proxy in
 * front of the test's database stops forwarding for 60 s without closing anything, mid-run (region
 * transactions open), then forwards again. The worker notices within its bounded waits
 * (src/db/postgres-options.ts: statement 30 s, cancel 5 s, an answer at all 40 s, connect 10 s;
 * it logged nothing for the whole 60 s before the answer deadline), lives, loses nothing,
 * records nothing twice and resumes by itself; the inventory is exact afterwards.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/open-database.js';
import { ANSWER_GRACE_S, CANCEL_TIMEOUT_S, QUERY_TIMEOUT_S } from '../../src/db/postgres-options.js';
import { enqueueRun, waitForRun } from '../../src/worker/enqueue-run.js';
import { createTestDatabaseUrl } from '../helpers/databases.js';
import { openTestQueues } from '../helpers/redis.js';
import { startSilentableProxy, type SilentableProxy } from '../helpers/silent-proxy.js';
import { killWorker, startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';
import { startWorld, waitFor, type World } from '../worker/worker-test-kit.js';
import { SummaryRecorder } from './summary.js';
import { sleep, WorldLedger } from './worker-scenario.js';

const rec = new SummaryRecorder(import.meta.filename);
const LIST = 'ListCustomImages';
const SILENCE_MS = 60_000;

interface LogLine { msg: string; time: number; level: number; err?: unknown }

function logLines(proc: WorkerProcess): LogLine[] {
  return proc.logs().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
}

describe('fault matrix: a silent network path to Postgres', () => {
  let world: World;
  let database: { url: string; drop: () => Promise<void> };
  let proxy: SilentableProxy;

  beforeAll(async () => {
    world = await startWorld({ accounts: 2, regions: ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'], imagesPerRegion: 3 });
    database = await createTestDatabaseUrl();
    proxy = await startSilentableProxy(Number(new URL(database.url).port), new URL(database.url).hostname);
  });
  afterAll(async () => {
    rec.flush();
    await proxy?.close();
    await database?.drop();
    await world?.emu.stop();
  });

  rec.scenario('60 s of silence on the Postgres path mid-run: noticed within the answer deadline, the process lives, nothing lost or doubled, resumes by itself', async () => {
    const queues = openTestQueues('fpgs');
    const { runs } = queues;
    const viaProxy = new URL(database.url);
    viaProxy.port = String(proxy.port);
    // The test reads the database directly, not through the path under test.
    const reader: DatabaseHandle = await openDatabase({ databaseUrl: database.url, maxConnections: 2 });
    let silentAt = Number.POSITIVE_INFINITY;
    let proc: WorkerProcess | undefined;
    try {
      proc = await startWorkerProcess(world, viaProxy.toString(), queues.prefix, ['--no-schedule', '--concurrency', '4']);
      const worker = proc;
      const ledger = new WorldLedger(world, rec.eventStats);
      const baseline = await waitForRun(reader.db, (await enqueueRun(runs)).runId, { timeoutMs: 60_000, pollMs: 100 });
      expect(baseline.status).toBe('succeeded');
      await ledger.checkpoint(reader.db);

      ledger.change(1);
      world.emu.setFaults([{ kind: 'latency', ms: 1_000, match: { action: LIST } }]);
      const before = world.emu.callLog().length;
      const { runId } = await enqueueRun(runs);
      await waitFor('regions of the run in flight', async () => world.emu.callLog().slice(before).some((c) => c.action === LIST), 30_000, 10);
      proxy.silence();
      silentAt = Date.now();
      // Noticed while the path is still silent: a warning logged within the longest documented wait
      // for an answer (statement + cancel timeouts + the answer grace: 40 s), plus 15 s for a loaded machine.
      const bound = (QUERY_TIMEOUT_S + CANCEL_TIMEOUT_S + ANSWER_GRACE_S) * 1000;
      const noticed = await waitFor('the worker to log the silent path', async () =>
        logLines(worker).find((l) => l.time >= silentAt && l.level >= 40), bound + 15_000, 200);
      expect(noticed.time - silentAt).toBeLessThan(SILENCE_MS);
      process.stderr.write(`[pg-silent-path] first warning ${noticed.time - silentAt} ms after the path went silent: ${noticed.msg} ${JSON.stringify(noticed.err ?? '').slice(0, 300)}\n`);
      await sleep(Math.max(0, SILENCE_MS - (Date.now() - silentAt)));
      expect(proc.child.exitCode, proc.logs()).toBeNull();
      world.emu.clearFaults();
      proxy.resume();
      const resumedAt = Date.now();

      const run = await waitForRun(reader.db, runId, { timeoutMs: 180_000, pollMs: 200 });
      process.stderr.write(`[pg-silent-path] the interrupted run ended ${Date.now() - resumedAt} ms after the path came back: ${run.status} (${run.regionsSucceeded}/${run.regionsTotal})\n`);
      expect(run, JSON.stringify(run.error)).toMatchObject({ status: 'succeeded', regionsTotal: 6, regionsSucceeded: 6 });
      await ledger.trueSoFar(reader.db);
      const clean = await waitForRun(reader.db, (await enqueueRun(runs)).runId, { timeoutMs: 60_000, pollMs: 100 });
      expect(clean, JSON.stringify(clean.error)).toMatchObject({ status: 'succeeded', regionsTotal: 6, regionsSucceeded: 6 });
      await ledger.checkpoint(reader.db);
      expect(proc.child.exitCode, proc.logs()).toBeNull();
      expect(proc.logs()).not.toMatch(/uncaught|TypeError/i);
    } finally {
      if (proc) process.stderr.write(`[pg-silent-path] worker log after the silence:\n${logLines(proc).filter((l) => l.time >= silentAt).map((l) => `${l.time - silentAt} ms ${l.msg} ${JSON.stringify(l.err ?? '').slice(0, 200)}`).join('\n')}\n`);
      await killWorker(proc);
      await reader.close();
      await queues.close();
    }
  }, 420_000);
});
