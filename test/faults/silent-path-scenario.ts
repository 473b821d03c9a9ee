/**
 * The silent-path scenario the Redis and Postgres fault tests share (issue 20): a baseline run
 * checked exactly, then a run with real changes whose listings are slowed (so its regions are in
 * flight), the path through the proxy silenced for 60 s as soon as the first listing goes out,
 * then resumed; the interrupted run must end `succeeded` with every region, its events true so
 * far, and a clean run after it must converge exactly. What the worker must notice while the path
 * is silent, and what the test checks once it is back, is each test's own.
 */
import { expect } from 'vitest';
import type { Queue } from 'bullmq';
import type { Db } from '../../src/db/database.js';
import { enqueueRun, waitForRun, type FinishedRun } from '../../src/worker/enqueue-run.js';
import type { PlanJobData } from '../../src/worker/job-data.js';
import type { SilentableProxy } from '../helpers/silent-proxy.js';
import { waitFor, type World } from '../worker/worker-test-kit.js';
import type { EventLogReport } from './convergence.js';
import { sleep, WorldLedger } from './worker-scenario.js';

export const SILENCE_MS = 60_000;
/** How long each listing of the interrupted run takes: its regions are still in flight when the path goes silent. */
export const LISTING_MS = 1_000;
const LIST = 'ListCustomImages';

export interface SilentPathScenario {
  world: World;
  /** Reads runs and inventory over a path that is not the one under test. */
  db: Db;
  /** Enqueues runs over a path that is not the one under test. */
  runs: Queue<PlanJobData>;
  proxy: SilentableProxy;
  eventStats: EventLogReport[];
  /** What the worker must show while the path is silent; the rest of the 60 s is waited out after it. */
  whileSilent(silentAt: number): Promise<void>;
  /** Checked once the path is back, before the interrupted run is awaited. */
  onResume?(resumedAt: number): Promise<void>;
  /** Prefix of the figures printed (`[pg-silent-path]`). */
  label: string;
}

export interface SilentPathTimes {
  runId: string;
  silentAt: number;
  resumedAt: number;
  /** The interrupted run, once it ended. */
  run: FinishedRun;
}

export async function runSilentPathScenario(s: SilentPathScenario): Promise<SilentPathTimes> {
  const regionsTotal = s.world.accounts.length * s.world.regions.length;
  const ledger = new WorldLedger(s.world, s.eventStats);
  const baseline = await waitForRun(s.db, (await enqueueRun(s.runs)).runId, { timeoutMs: 60_000, pollMs: 100 });
  expect(baseline.status).toBe('succeeded');
  await ledger.checkpoint(s.db);

  ledger.change(1);
  s.world.emu.setFaults([{ kind: 'latency', ms: LISTING_MS, match: { action: LIST } }]);
  const before = s.world.emu.callLog().length;
  const { runId } = await enqueueRun(s.runs);
  await waitFor('regions of the run in flight', async () => s.world.emu.callLog().slice(before).some((c) => c.action === LIST), 30_000, 10);
  s.proxy.silence();
  const silentAt = Date.now();
  await s.whileSilent(silentAt);
  await sleep(Math.max(0, SILENCE_MS - (Date.now() - silentAt)));
  s.world.emu.clearFaults();
  s.proxy.resume();
  const resumedAt = Date.now();
  await s.onResume?.(resumedAt);

  const run = await waitForRun(s.db, runId, { timeoutMs: 180_000, pollMs: 200 });
  process.stderr.write(`${s.label} the interrupted run ended ${Date.now() - resumedAt} ms after the path came back: ${run.status} (${run.regionsSucceeded}/${run.regionsTotal})\n`);
  expect(run, JSON.stringify(run.error)).toMatchObject({ status: 'succeeded', regionsTotal, regionsSucceeded: regionsTotal });
  await ledger.trueSoFar(s.db);
  const clean = await waitForRun(s.db, (await enqueueRun(s.runs)).runId, { timeoutMs: 60_000, pollMs: 100 });
  expect(clean, JSON.stringify(clean.error)).toMatchObject({ status: 'succeeded', regionsTotal, regionsSucceeded: regionsTotal });
  await ledger.checkpoint(s.db);
  return { runId, silentAt, resumedAt, run };
}
