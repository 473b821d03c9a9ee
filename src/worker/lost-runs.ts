/**
 * Runs whose jobs Redis lost. A run lives in two places: its `sync_runs` row (Postgres) and its
 * flow (Redis: the plan job, then the finish job waiting for its account jobs). When Redis loses
 * its data the flow is gone, nothing will ever finish the run, and before this it stayed `running`
 * until the 6-hour abandoned-run sweep.
 *
 * Once a worker sees Redis lose its data (schedule-keeper.ts), the runs that were `running` then
 * are suspects. A suspect is alive while Redis still has its finish job or a pending plan job, or
 * while this process still runs one of its account jobs (their regions commit to Postgres whatever
 * Redis lost). One seen lost on two checks `graceMs` apart (time for regions in flight in other
 * workers to commit) is closed through the same finishRun as a finished run: every region it meant
 * to sync and that did not report gets a `skipped` row (`RedisDataLost`), so the run ends `partial`
 * (or `failed` when no region synced) naming them. Its planned regions went with Redis, so they are
 * discovered again (regionsOf, as a plan does); regions already recorded keep their rows.
 */
import type { Queue } from 'bullmq';
import type { Db } from '../db/database.js';
import { regionsRecorded } from '../db/region-syncs.js';
import type { LeftOutRegion } from '../sync/run-record.js';
import type { Logger } from '../ops/logger.js';
import type { PlanJobData } from './job-data.js';
import { JOB_NAMES } from './queue-names.js';
import { finishJobId, runIdForJob } from './run-id.js';

/** Why a region was left out, on its region_syncs row. */
export const LOST_REGION_CODE = 'RedisDataLost';
const LOST_REGION_MESSAGE = 'left out: its job was lost with Redis\'s data (restarted without persistence, failed over to an empty replica, or flushed); the next run covers it';
/** On the run when its regions could not all be discovered again (so some left-out ones may be missing). */
export const LOST_RUN_ERROR = 'interrupted: Redis lost this run\'s jobs, and region discovery failed for some account while closing it';

/** The regions of `expected` this run has no row for, as left-out rows (`skipped`, RedisDataLost). */
export async function lostRegions(db: Db, runId: string, expected: ReadonlyArray<{ account: string; regionId: string }>): Promise<LeftOutRegion[]> {
  const reported = new Set((await regionsRecorded(db, runId)).map((r) => `${r.account}\u0000${r.regionId}`));
  return expected.filter((r) => !reported.has(`${r.account}\u0000${r.regionId}`))
    .map((r) => ({ ...r, status: 'skipped', code: LOST_REGION_CODE, message: LOST_REGION_MESSAGE }));
}

export interface LostRunDeps {
  /** Runs of the worker (`schedule`, `manual`) still `running` that started at or before `at`. */
  runningRunsSince(at: Date): Promise<string[]>;
  /** The runs among `runIds` that still have a job (in Redis, or active in this process). */
  aliveRuns(runIds: readonly string[]): Promise<ReadonlySet<string>>;
  /** Closes the run as interrupted, with its regions that never reported left out. */
  closeLostRun(runId: string): Promise<{ regionsLeftOut: number; status: string }>;
  logger: Logger;
  /** How long a run must stay without any job before it is closed. */
  graceMs: number;
  now?: () => number;
}

/** Pure: which suspects to close now, and the suspects to keep watching (id -> first seen lost). */
export function decideLostRuns(
  running: readonly string[],
  alive: ReadonlySet<string>,
  firstSeenLost: ReadonlyMap<string, number>,
  now: number,
  graceMs: number,
): { close: string[]; watch: Map<string, number> } {
  const close: string[] = [];
  const watch = new Map<string, number>();
  for (const id of running) {
    if (alive.has(id)) continue;
    const since = firstSeenLost.get(id);
    if (since !== undefined && now - since >= graceMs) close.push(id);
    else watch.set(id, since ?? now);
  }
  return { close, watch };
}

export class LostRunSweeper {
  /** When the earliest data loss not yet swept was seen; null: nothing to look for. */
  private lossAt: Date | null = null;
  private suspects = new Map<string, number>();

  constructor(private readonly deps: LostRunDeps) {}

  /** Redis lost its data at `at`: runs running then are suspects. */
  dataLost(at: Date): void {
    if (this.lossAt === null || at > this.lossAt) this.lossAt = at;
  }

  /** One look (after each schedule check); a no-op unless a loss is being swept. */
  async sweep(): Promise<void> {
    if (this.lossAt === null) return;
    const { deps } = this;
    const running = await deps.runningRunsSince(this.lossAt);
    if (running.length === 0) {
      this.lossAt = null;
      this.suspects.clear();
      return;
    }
    const alive = await deps.aliveRuns(running);
    const { close, watch } = decideLostRuns(running, alive, this.suspects, (deps.now ?? Date.now)(), deps.graceMs);
    this.suspects = watch;
    for (const runId of close) {
      const summary = await deps.closeLostRun(runId);
      deps.logger.warn({ runId, status: summary.status, regionsLeftOut: summary.regionsLeftOut }, 'closed a run whose jobs Redis lost');
    }
  }
}

const PENDING_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/**
 * The runs among `runIds` that still have a job: an account job active in this process, a pending
 * plan job (its run id is in its data, or derived from its job id), or a pending finish job.
 */
export async function runsWithJobs(runsQueue: Queue, prefix: string, runIds: readonly string[], activeHere: ReadonlySet<string>): Promise<Set<string>> {
  const alive = new Set(runIds.filter((id) => activeHere.has(id)));
  const pending = await runsQueue.getJobs(['waiting', 'active', 'delayed', 'prioritized'], 0, 1_000);
  for (const job of pending) {
    if (job?.name !== JOB_NAMES.plan) continue;
    const data = job.data as Partial<PlanJobData> | undefined;
    alive.add(typeof data?.runId === 'string' ? data.runId : runIdForJob(prefix, job.id ?? job.name));
  }
  const states = await Promise.all(runIds.map((id) => runsQueue.getJobState(finishJobId(id))));
  runIds.forEach((id, i) => { if (PENDING_STATES.has(states[i] as string)) alive.add(id); });
  return alive;
}
