// @long-running: every retention case on both back ends
/**
 * Retention of the run bookkeeping (issue 14), on both back ends: pruning removes exactly the
 * rows of old runs that changed nothing, and nothing of the image history (the history, `images
 * --as-of` and `status` answer the same before and after); the newest region_syncs row of each
 * region, the one region_states points at, running runs and runs that recorded changes stay.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows, type DatabaseHandle } from '../../src/db/database.js';
import { pruneRuns } from '../../src/sync/prune-runs.js';
import { listHistory, listImages, listStatus, listRuns } from '../../src/reports/run-reports.js';
import { backends, createTestDatabase } from '../helpers/databases.js';
import { randomUUID } from 'node:crypto';
import { finishRun, startRun } from '../../src/sync/run-record.js';
import { syncFixtureRegion, wireImage, writeRunHistory, type FixtureRuns } from '../helpers/run-history-fixture.js';

const DAY_MS = 86_400_000;

type RunRow = { id: string; status: string; started_at: string };
type RegionRow = { id: string; sync_run_id: string; account: string; region_id: string; started_at: string; changes: number };

async function snapshot(h: DatabaseHandle) {
  const runs = await queryRows<RunRow>(h.db, sql`select id::text, status, started_at::text from swas.sync_runs order by id`);
  const regions = await queryRows<RegionRow>(h.db, sql`select id::text, sync_run_id::text, account, region_id, started_at::text,
    (created + updated + status_changed + tags_changed + deleted + restored)::int as changes from swas.region_syncs order by id`);
  return { runs, regions };
}

/** Everything the history and the current inventory are made of, and what the reports make of it. */
async function historyFingerprint(h: DatabaseHandle, asOf: Date[]) {
  const tables = await queryRows(h.db, sql`select
    (select coalesce(json_agg(e order by e.id), '[]') from swas.image_events as e) as events,
    (select coalesce(json_agg(v order by v.id), '[]') from swas.custom_image_versions as v) as versions,
    (select coalesce(json_agg(i order by i.image_id), '[]') from swas.custom_images as i) as images,
    (select coalesce(json_agg(t order by t.image_id, t.key), '[]') from swas.custom_image_tags as t) as tags,
    (select coalesce(json_agg(s order by s.region_id), '[]') from swas.region_states as s) as states`);
  return {
    tables,
    history: await listHistory(h.db, { oldestFirst: true }),
    asOf: await Promise.all(asOf.map((t) => listImages(h.db, { asOf: t, includeDeleted: true }))),
    current: await listImages(h.db, { includeDeleted: true }),
    status: await listStatus(h.db, {}),
  };
}

/**
 * The rule written out independently of the SQL: a region row goes when its run is older than the
 * cutoff, finished, recorded no change in any region, and the row is neither its region's newest
 * (by started_at, then id) nor the one region_states points at; a run goes when all its rows go.
 */
async function expectedSurvivors(h: DatabaseHandle, cutoff: Date) {
  const { runs, regions } = await snapshot(h);
  const states = await queryRows<{ account: string; region_id: string; last: string }>(h.db,
    sql`select account, region_id, last_sync_run_id::text as last from swas.region_states`);
  const changedRuns = new Set(regions.filter((r) => r.changes > 0).map((r) => r.sync_run_id));
  const prunable = new Set(runs.filter((r) => r.status !== 'running' && new Date(r.started_at) < cutoff && !changedRuns.has(r.id)).map((r) => r.id));
  const newest = new Map<string, RegionRow>();
  for (const r of regions) {
    const key = `${r.account}/${r.region_id}`;
    const cur = newest.get(key);
    const t = new Date(r.started_at).getTime();
    if (!cur || t > new Date(cur.started_at).getTime() || (t === new Date(cur.started_at).getTime() && Number(r.id) > Number(cur.id))) newest.set(key, r);
  }
  const pointed = new Set(states.map((s) => `${s.account}/${s.region_id}/${s.last}`));
  const keptRegions = regions.filter((r) => !prunable.has(r.sync_run_id) || newest.get(`${r.account}/${r.region_id}`) === r
    || pointed.has(`${r.account}/${r.region_id}/${r.sync_run_id}`));
  const runsWithRows = new Set(keptRegions.map((r) => r.sync_run_id));
  const keptRuns = runs.filter((r) => !prunable.has(r.id) || runsWithRows.has(r.id));
  return { runs: keptRuns.map((r) => r.id).sort(), regions: keptRegions.map((r) => r.id).sort(),
    removedRuns: runs.length - keptRuns.length, removedRegions: regions.length - keptRegions.length };
}

describe.each(backends())('pruning run bookkeeping on %s', (kind) => {
  let h: DatabaseHandle;
  let runs: FixtureRuns;
  const now = new Date();
  const cutoff = new Date(now.getTime() - 90 * DAY_MS);
  beforeEach(async () => {
    h = await createTestDatabase(kind);
    runs = await writeRunHistory(h.db, now);
  });
  afterEach(async () => h?.close());

  it('removes exactly the old unchanged runs and keeps the history, its runs, each region\'s last rows and running runs', async () => {
    const expected = await expectedSurvivors(h, cutoff);
    // The fixture must give the rule something to do on every side, or this test proves nothing.
    expect(expected.removedRuns).toBeGreaterThan(20);
    expect(expected.removedRegions).toBeGreaterThan(60);
    const asOf = (await queryRows<{ t: Date | string }>(h.db, sql`select observed_at as t from swas.image_events group by observed_at order by observed_at`))
      .map((r) => new Date(r.t));
    asOf.push(new Date(asOf[0]!.getTime() - 1), new Date());
    const before = await historyFingerprint(h, asOf);
    const historyRunIds = await queryRows<{ id: string }>(h.db, sql`select distinct sync_run_id::text as id from swas.image_events
      union select distinct sync_run_id::text from swas.custom_image_versions`);
    expect(historyRunIds.map((r) => r.id).sort()).toEqual([runs.created, runs.changed].sort());

    const result = await pruneRuns(h.db, { olderThanDays: 90, now });

    const after = await snapshot(h);
    expect(after.runs.map((r) => r.id).sort()).toEqual(expected.runs);
    expect(after.regions.map((r) => r.id).sort()).toEqual(expected.regions);
    expect(result).toMatchObject({ syncRuns: expected.removedRuns, regionSyncs: expected.removedRegions, keptHistoryRuns: 2, dryRun: false });
    expect(await historyFingerprint(h, asOf)).toEqual(before);
    // Named roles, so a wrong model above cannot hide a wrong rule.
    const kept = new Set(after.runs.map((r) => r.id));
    for (const id of [runs.created, runs.changed, runs.failedC, runs.lastD, runs.skippedD, runs.running, ...runs.recent]) expect(kept.has(id), id).toBe(true);
    for (const id of runs.oldUnchanged) expect(kept.has(id), id).toBe(false);
    const regionsOf = (id: string) => after.regions.filter((r) => r.sync_run_id === id).map((r) => r.region_id).sort();
    expect(regionsOf(runs.created)).toEqual(['cn-a', 'cn-b', 'cn-c', 'cn-d']);
    expect(regionsOf(runs.lastD)).toEqual(['cn-d']);
    expect(regionsOf(runs.skippedD)).toEqual(['cn-d']);
    expect(regionsOf(runs.failedC)).toEqual(['cn-c']);
    expect(regionsOf(runs.running)).toEqual(['cn-a']);
    // Every run the history names can still be looked up; `runs` still lists the recent ones.
    for (const { id } of historyRunIds) expect(kept.has(id)).toBe(true);
    const listed = (await listRuns(h.db, 5)).map((r) => r.runId);
    for (const id of runs.recent) expect(listed).toContain(id);

    // Idempotent: a second pass finds nothing more.
    expect(await pruneRuns(h.db, { olderThanDays: 90, now })).toMatchObject({ syncRuns: 0, regionSyncs: 0, batches: 0 });
  });

  it('counts batches: one DELETE per row with a batch size of 1, and the dry run predicts the same without deleting', async () => {
    const expected = await expectedSurvivors(h, cutoff);
    const before = await snapshot(h);
    const dry = await pruneRuns(h.db, { olderThanDays: 90, now, batchSize: 1, dryRun: true });
    expect(await snapshot(h)).toEqual(before);
    expect(dry).toMatchObject({ dryRun: true, syncRuns: expected.removedRuns, regionSyncs: expected.removedRegions });
    expect(dry.batches).toBe(expected.removedRuns + expected.removedRegions);
    const real = await pruneRuns(h.db, { olderThanDays: 90, now, batchSize: 1 });
    expect(real).toMatchObject({ syncRuns: dry.syncRuns, regionSyncs: dry.regionSyncs, batches: dry.batches });
    expect((await snapshot(h)).regions.map((r) => r.id).sort()).toEqual(expected.regions);
  });

  it('with a batch larger than the candidates: one DELETE for the region rows and one for the runs', async () => {
    const expected = await expectedSurvivors(h, cutoff);
    const candidates = await queryRows<{ n: number }>(h.db, sql`select count(*)::int as n from swas.region_syncs`);
    expect(candidates[0]!.n).toBeLessThan(1000);
    const result = await pruneRuns(h.db, { olderThanDays: 90, now, batchSize: 1000 });
    expect(result).toMatchObject({ batches: 2, syncRuns: expected.removedRuns, regionSyncs: expected.removedRegions });
  });

  it('a longer retention removes less, and one longer than the history removes nothing', async () => {
    const at150 = await expectedSurvivors(h, new Date(now.getTime() - 150 * DAY_MS));
    const result = await pruneRuns(h.db, { olderThanDays: 150, now });
    expect(result).toMatchObject({ syncRuns: at150.removedRuns, regionSyncs: at150.removedRegions });
    expect(result.syncRuns).toBeGreaterThan(0);
    const before = await snapshot(h);
    expect(await pruneRuns(h.db, { olderThanDays: 365, now })).toMatchObject({ syncRuns: 0, regionSyncs: 0, batches: 0 });
    expect(await snapshot(h)).toEqual(before);
  });

  it('refuses an age under one day (0 means "keep everything" in the setting, never "delete everything")', async () => {
    await expect(pruneRuns(h.db, { olderThanDays: 0, now })).rejects.toThrow(/at least 1/);
  });
});

describe.each(backends())('a run only versions name (a field first seen: a version, no event, zero counts) on %s', (kind) => {
  let h: DatabaseHandle;
  beforeEach(async () => { h = await createTestDatabase(kind); });
  afterEach(async () => h?.close());

  it('is kept: prune never removes a run that a version or an event names', async () => {
    const now = new Date();
    const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);
    const run = async (days: number, items: unknown[]) => {
      const id = randomUUID();
      await startRun(h.db, { id, trigger: 'schedule', startedAt: ago(days) });
      await syncFixtureRegion(h.db, id, 'cn-a', items, ago(days));
      await finishRun(h.db, id);
      return id;
    };
    // Description absent (unknown), then listed: the diff fills it in with a version and no event.
    const created = await run(120, [wireImage('m-a1', 'cn-a')]);
    const filledIn = await run(110, [wireImage('m-a1', 'cn-a', { Description: 'first seen' })]);
    const unchanged = await run(100, [wireImage('m-a1', 'cn-a', { Description: 'first seen' })]);
    await run(1, [wireImage('m-a1', 'cn-a', { Description: 'first seen' })]);
    // The premise of the defect: the filling-in run counts no change, yet a version names it.
    const [counts] = await queryRows<{ changes: number; versions: number; events: number }>(h.db, sql`select
      (select sum(created + updated + status_changed + tags_changed + deleted + restored)::int from swas.region_syncs where sync_run_id = ${filledIn}::uuid) as changes,
      (select count(*)::int from swas.custom_image_versions where sync_run_id = ${filledIn}::uuid) as versions,
      (select count(*)::int from swas.image_events where sync_run_id = ${filledIn}::uuid) as events`);
    expect(counts).toEqual({ changes: 0, versions: 1, events: 0 });

    const dry = await pruneRuns(h.db, { olderThanDays: 90, now, dryRun: true });
    const result = await pruneRuns(h.db, { olderThanDays: 90, now });
    expect(result).toMatchObject({ syncRuns: 1, regionSyncs: 1, keptHistoryRuns: 2 });
    expect(dry).toMatchObject({ syncRuns: result.syncRuns, regionSyncs: result.regionSyncs });
    const left = new Set((await queryRows<{ id: string }>(h.db, sql`select id::text as id from swas.sync_runs`)).map((r) => r.id));
    expect(left.has(created)).toBe(true);
    expect(left.has(filledIn)).toBe(true);
    expect(left.has(unchanged)).toBe(false);
    const orphans = await queryRows<{ n: number }>(h.db, sql`select count(*)::int as n from (
      select sync_run_id from swas.custom_image_versions union all select sync_run_id from swas.image_events) as named
      where not exists (select 1 from swas.sync_runs as s where s.id = named.sync_run_id)`);
    expect(orphans[0]!.n).toBe(0);
  });
});
