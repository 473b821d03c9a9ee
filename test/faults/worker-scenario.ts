/**
 * Worker-side fault scenarios share this: a multi-account world (test/worker's kit: keys in env
 * vars the accounts name, every fourth image shared with the next account), one ledger per
 * account, and checkpoints over all accounts at once.
 */
import { expect } from 'vitest';
import type { Queue } from 'bullmq';
import type { Db } from '../../src/db/database.js';
import { enqueueRun, waitForRun, type FinishedRun } from '../../src/worker/enqueue-run.js';
import type { PlanJobData } from '../../src/worker/job-data.js';
import type { World } from '../worker/worker-test-kit.js';
import { expectCheckpoint, expectEventsTrueSoFar, lastEventId, type EventLogReport } from './convergence.js';
import { mutate } from './harness.js';
import { Ledger, type AccountView } from './truth.js';

export class WorldLedger {
  readonly views: AccountView[];
  readonly ledgers = new Map<string, Ledger>();
  mark = 0;
  private gone = new Map<string, Parameters<typeof mutate>[3]>();

  constructor(private readonly world: World, private readonly stats: EventLogReport[]) {
    this.views = world.accounts.map((a) => ({ name: a.name, uid: world.uidOf.get(a.name) as string, regions: world.regions }));
    for (const v of this.views) this.ledgers.set(v.name, new Ledger());
  }

  /** Exact convergence and exact events for every account since the last checkpoint. */
  async checkpoint(db: Db): Promise<void> {
    for (const v of this.views) await expectCheckpoint(db, this.world.emu, v, this.ledgers.get(v.name) as Ledger, this.mark, this.stats);
    this.mark = await lastEventId(db);
  }

  /** While faults are on: nothing recorded so far is false, doubled or invented. */
  async trueSoFar(db: Db): Promise<void> {
    for (const v of this.views) await expectEventsTrueSoFar(db, this.world.emu, v, this.ledgers.get(v.name) as Ledger, this.mark, this.stats);
  }

  /** A round of real changes in every account (restoring the previous round's deletions). */
  change(round: number): void {
    for (const v of this.views) this.gone.set(v.name, mutate(this.world.emu, v.uid, round, this.gone.get(v.name) ?? [], this.world.regions));
  }
}

/** Enqueues a run and waits for its sync_runs row to end. */
export async function runToEnd(queue: Queue<PlanJobData>, db: Db, timeoutMs = 60_000): Promise<FinishedRun> {
  const { runId } = await enqueueRun(queue);
  return waitForRun(db, runId, { timeoutMs, pollMs: 100 });
}

export async function expectCleanRun(queue: Queue<PlanJobData>, db: Db, regionsTotal: number): Promise<void> {
  const run = await runToEnd(queue, db);
  expect(run, JSON.stringify(run.error)).toMatchObject({ status: 'succeeded', regionsTotal, regionsSucceeded: regionsTotal });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
