/**
 * The shape of every in-process fault scenario (runSync, the CLI's single pass, no retries):
 *   baseline sync -> checkpoint; then twice: real changes (round 2 also restores round 1's
 *   deletions) -> N syncs under the fault (after each: nothing false recorded so far, every
 *   failed region recorded with its code) -> fault cleared -> clean sync -> checkpoint
 *   (exact convergence and the exact expected events).
 */
import { expect } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { DatabaseHandle, Db } from '../../src/db/database.js';
import { regionSyncs } from '../../src/db/schema.js';
import type { FaultRuleInput } from '../../src/emulator/index.js';
import type { RunSyncReport } from '../../src/sync/run-sync.js';
import { createTestDatabase } from '../helpers/databases.js';
import { expectCheckpoint, expectEventsTrueSoFar } from './convergence.js';
import { mutate, startFaultWorld, type FaultWorld } from './harness.js';
import type { SummaryRecorder } from './summary.js';
import { Ledger } from './truth.js';

export interface ScenarioOptions {
  faults: FaultRuleInput[];
  /** Syncs under the fault per round. Default 3. */
  passes?: number;
  /** Instead of `faults`: turn the fault on and off yourself (clock skew). */
  faultOn?: (world: FaultWorld) => void;
  faultOff?: (world: FaultWorld) => void;
  world?: Parameters<typeof startFaultWorld>[0];
  /**
   * Make the rounds' scripted changes (default true). Page drift changes the emulator itself in
   * the middle of a pass; scripted changes on top could be observed and then drifted away within
   * one pass, a state no checkpoint can name, so that scenario lets the drift be the only change.
   */
  changes?: boolean;
  /** The database (default: a clone of the shared server's template). */
  database?: () => Promise<DatabaseHandle>;
  /**
   * One sync under the fault, when the fault must strike in the middle of it (a server restart).
   * Returns null when the run itself threw (allowed only there: the database was gone).
   */
  pass?: (world: FaultWorld, db: Db) => Promise<RunSyncReport | null>;
  /** Rounds of changes under the fault (default 2: the second restores the first's deletions). */
  rounds?: number;
  /** Checks on each faulted report. */
  during?: (report: RunSyncReport, world: FaultWorld) => void;
}

/** Runs the scenario; returns every faulted report so the caller can assert the fault really bit. */
export async function runFaultScenario(rec: SummaryRecorder, options: ScenarioOptions): Promise<RunSyncReport[]> {
  const world = await startFaultWorld(options.world);
  const handle = await (options.database ?? (() => createTestDatabase('postgres')))();
  const { db } = handle;
  const faulted: RunSyncReport[] = [];
  try {
    const ledger = new Ledger();
    const baseline = await world.sync(db);
    expect(baseline.summary.status, JSON.stringify(baseline.regions.map((r) => r.error))).toBe('succeeded');
    let mark = await expectCheckpoint(db, world.emu, world.view, ledger, 0, rec.eventStats);

    const changes = options.changes ?? true;
    let gone = changes ? mutate(world.emu, world.view.uid, 1) : [];
    for (let round = 1; round <= (options.rounds ?? 2); round += 1) {
      if (options.faultOn) options.faultOn(world);
      else world.emu.setFaults(options.faults);
      for (let pass = 0; pass < (options.passes ?? 3); pass += 1) {
        const report = options.pass ? await options.pass(world, db) : await world.sync(db);
        if (report === null) {
          await expectEventsTrueSoFar(db, world.emu, world.view, ledger, mark, rec.eventStats);
          continue;
        }
        faulted.push(report);
        await expectFailuresRecorded(db, report);
        options.during?.(report, world);
        await expectEventsTrueSoFar(db, world.emu, world.view, ledger, mark, rec.eventStats);
      }
      if (options.faultOff) options.faultOff(world);
      else world.emu.clearFaults();
      const clean = await world.sync(db);
      expect(clean.summary.status, JSON.stringify(clean.regions.map((r) => r.error))).toBe('succeeded');
      mark = await expectCheckpoint(db, world.emu, world.view, ledger, mark, rec.eventStats);
      if (round === 1 && changes) gone = mutate(world.emu, world.view.uid, 2, gone);
    }
    return faulted;
  } finally {
    await world.emu.stop();
    await handle.close();
  }
}

/** Every region a report says failed has its region_syncs row: status failed, a code and a message. */
async function expectFailuresRecorded(db: Db, report: RunSyncReport): Promise<void> {
  for (const r of report.regions.filter((x) => x.status === 'failed' && x.regionId !== '*')) {
    const [row] = await db.select().from(regionSyncs)
      .where(and(eq(regionSyncs.syncRunId, report.runId), eq(regionSyncs.account, r.account), eq(regionSyncs.regionId, r.regionId)));
    expect(row, `region_syncs row for failed ${r.regionId}`).toMatchObject({ status: 'failed', errorCode: r.error?.code });
    expect(row?.errorMessage ?? '', `error message for ${r.regionId}`).not.toBe('');
  }
}

/** Region outcomes of all faulted passes, as `code` per failed region and `incomplete` ones. */
export function outcomes(reports: readonly RunSyncReport[]): { failedCodes: string[]; incomplete: number; succeeded: number; runs: string[] } {
  const regions = reports.flatMap((r) => r.regions);
  return {
    failedCodes: regions.filter((r) => r.status === 'failed').map((r) => r.error?.code ?? '?'),
    incomplete: regions.filter((r) => r.status === 'incomplete').length,
    succeeded: regions.filter((r) => r.status === 'succeeded').length,
    runs: reports.map((r) => r.summary.status),
  };
}
