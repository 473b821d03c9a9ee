/**
 * A database with a long run history written through the real sync code: runs dated in the past
 * (their started_at; the image history is stamped with the database clock, as always), most of
 * them unchanged, some that changed images, a failed region, a left-out region and a run still
 * `running`. Used by the retention tests to check what pruning keeps.
 */
import { randomUUID } from 'node:crypto';
import { writeRegion } from '../../src/sync/apply-listing.js';
import { listedItem } from '../../src/sync/normalize-image.js';
import { finishRun, recordLeftOut, recordRegionFailure, startRun } from '../../src/sync/run-record.js';
import type { RegionListing } from '../../src/sync/types.js';
import type { Db } from '../../src/db/database.js';

export const FIXTURE_ACCOUNT = 'default';
const DAY_MS = 86_400_000;

export const wireImage = (id: string, regionId: string, over: Record<string, unknown> = {}) => ({
  ImageId: id, RegionId: regionId, Name: `name ${id}`, Status: 1, OsType: 'Linux', CreationTime: '2022-10-09T02:28:06Z',
  RequiredSystemDiskSize: 20, UserId: 1801858287100001, Tags: [{ Key: 'env', Value: 'prod' }], ...over,
});

/** One region of one run synced from wire items, as the worker's region job does. */
export async function syncFixtureRegion(db: Db, runId: string, regionId: string, items: unknown[], startedAt: Date, account = FIXTURE_ACCOUNT) {
  return writeRegion(db, { runId, account, regionId, startedAt }, async (writer) => {
    await writer.begin(1);
    await writer.started();
    const listed = items.map((i) => listedItem(i, regionId));
    await writer.page(listed);
    const listing: RegionListing = {
      accountName: account, regionId, images: [], imageIds: new Set(listed.map((i) => i.imageId)),
      completeness: { complete: true }, pages: 1, apiCalls: 1,
    };
    return listing;
  });
}

export interface FixtureRuns {
  /** Run ids by role, for the assertions. */
  created: string;
  changed: string;
  failedC: string;
  lastD: string;
  skippedD: string;
  running: string;
  oldUnchanged: string[];
  recent: string[];
}

/**
 * Regions A, B and C every run; D only in two old runs (synced, then left out). `now` is the
 * reference time the ages are counted from.
 */
export async function writeRunHistory(db: Db, now: Date = new Date()): Promise<FixtureRuns> {
  const ago = (days: number, minutes = 0) => new Date(now.getTime() - days * DAY_MS + minutes * 60_000);
  const items: Record<string, unknown[]> = {
    'cn-a': [wireImage('m-a1', 'cn-a'), wireImage('m-a2', 'cn-a')],
    'cn-b': [wireImage('m-b1', 'cn-b')],
    'cn-c': [wireImage('m-c1', 'cn-c')],
    'cn-d': [wireImage('m-d1', 'cn-d')],
  };
  const run = async (startedAt: Date, regions: string[], body?: (runId: string) => Promise<void>, finish = true) => {
    const runId = randomUUID();
    await startRun(db, { id: runId, trigger: 'schedule', startedAt });
    for (const r of regions) await syncFixtureRegion(db, runId, r, items[r] as unknown[], startedAt);
    await body?.(runId);
    if (finish) await finishRun(db, runId);
    return runId;
  };
  const abc = ['cn-a', 'cn-b', 'cn-c'];
  const oldUnchanged: string[] = [];
  const created = await run(ago(200), [...abc, 'cn-d']);
  for (let d = 199; d > 190; d--) oldUnchanged.push(await run(ago(d), abc));
  const lastD = await run(ago(190), [...abc, 'cn-d']);
  // D left out from now on: its newest row is this skipped one; region_states still points at lastD.
  const skippedD = await run(ago(189), abc, (id) => recordLeftOut(db, id, [{ account: FIXTURE_ACCOUNT, regionId: 'cn-d', status: 'skipped', code: 'HeldByEarlierRun', message: 'test' }]));
  for (let d = 188; d > 150; d -= 3) oldUnchanged.push(await run(ago(d), abc));
  items['cn-a'] = [wireImage('m-a1', 'cn-a', { Status: 2 }), wireImage('m-a2', 'cn-a', { Tags: [] })];
  items['cn-b'] = [];
  const changed = await run(ago(150), abc);
  for (let d = 149; d > 100; d -= 5) oldUnchanged.push(await run(ago(d), abc));
  // C fails in its last attempt (region_states and its newest row both point here).
  const failedC = await run(ago(99), ['cn-a', 'cn-b'], (id) => recordRegionFailure(db, {
    runId: id, account: FIXTURE_ACCOUNT, regionId: 'cn-c', code: 'ServiceUnavailable', message: 'test failure', startedAt: ago(99),
  }));
  for (let d = 98; d > 92; d -= 2) oldUnchanged.push(await run(ago(d), ['cn-a', 'cn-b']));
  const running = await run(ago(92), ['cn-a'], undefined, false);
  const recent: string[] = [];
  for (const d of [89, 30, 1]) recent.push(await run(ago(d), ['cn-a', 'cn-b']));
  return { created, changed, failedC, lastD, skippedD, running, oldUnchanged, recent };
}
