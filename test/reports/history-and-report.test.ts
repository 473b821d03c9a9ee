/** `history` filters, `report` sections and `runs` over the scripted history, on PGlite and Postgres. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestDatabase } from '../helpers/databases.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { buildReport, listHistory, listRuns } from '../../src/reports/run-reports.js';
import type { HistoryQueryOptions } from '../../src/reports/sql/history-query.js';
import { NOW, T, writeScriptedHistory } from './helpers/scripted-history.js';

describe.each(backends())('history, report and runs on %s', (kind) => {
  let h: DatabaseHandle;
  beforeAll(async () => {
    h = await createTestDatabase(kind);
    await writeScriptedHistory(h.db);
  });
  afterAll(async () => h?.close());

  const events = async (options: HistoryQueryOptions) =>
    (await listHistory(h.db, { oldestFirst: true, ...options })).map((r) => `${String(r.imageId)}:${String(r.kind)}`);

  it('an image\'s timeline, oldest first, with status labels and field changes', async () => {
    const rows = await listHistory(h.db, { imageIds: ['m-1'], oldestFirst: true });
    expect(rows.map((r) => [r.observedAt, r.kind, r.fromStatus, r.toStatus])).toEqual([
      [T.T1, 'created', null, 'creating'],
      [T.T2, 'status_changed', 'creating', 'available'],
      [T.T3, 'status_changed', 'available', 'unavailable'],
      [T.T3, 'tags_changed', 'unavailable', 'unavailable'],
      [T.T4, 'deleted', 'unavailable', null],
      [T.T5, 'restored', null, 'available'],
    ]);
    expect(rows[5]?.changes).toEqual({
      name: { old: 'web', new: 'web-v2' }, status: { old: 2, new: 1 },
      tags: { old: [{ key: 'env', value: 'prod' }], new: [{ key: 'env', value: 'prod' }, { key: 'owner', value: 'ops' }] },
    });
  });

  it('filters by kind, account, region and a half-open time window', async () => {
    expect(await events({ kinds: ['deleted', 'restored'] })).toEqual(['m-4:deleted', 'm-1:deleted', 'm-1:restored']);
    expect(await events({ accounts: ['dev'] })).toEqual(['m-3:created', 'm-4:created', 'm-4:deleted']);
    expect(await events({ regions: ['ap-southeast-1'] })).toEqual(['m-2:created']);
    // since is inclusive, until exclusive: exactly the T3 events.
    expect(await events({ since: new Date(T.T3), until: new Date(T.T4) })).toEqual(['m-1:status_changed', 'm-1:tags_changed', 'm-4:deleted']);
    expect(await events({ since: new Date(T.T5) })).toEqual(['m-1:restored']);
    expect(await events({ imageIds: ['m-1'], kinds: ['created'], until: new Date(T.T1) })).toEqual([]);
  });

  it('newest first by default, with the image\'s latest name; a limit keeps the newest', async () => {
    expect((await listHistory(h.db, { limit: 3 })).map((r) => `${String(r.imageId)}:${String(r.kind)}:${String(r.name)}`))
      .toEqual(['m-1:restored:web-v2', 'm-1:deleted:web-v2', 'm-4:deleted:old']);
    expect((await listHistory(h.db, { oldestFirst: true, limit: 1 })).map((r) => r.kind)).toEqual(['created']);
  });

  it('report: every section over the current inventory and recent changes', async () => {
    const report = await buildReport(h.db, { now: NOW, olderThanDays: 30, changesDays: 7, requireTags: ['owner', 'env'] });
    const section = (name: string) => report.sections.find((s) => s.name === name)?.rows;
    expect(section('by_region_status')).toEqual([
      { regionId: 'ap-southeast-1', status: 'available', images: 1 },
      { regionId: 'cn-hangzhou', status: 'available', images: 1 },
      { regionId: 'cn-hangzhou', status: 'creation_failed', images: 1 },
    ]);
    expect(section('by_os_type')).toEqual([{ osType: 'Linux', images: 2 }, { osType: 'Windows', images: 1 }]);
    expect(section('failed_or_unavailable')).toEqual([
      { account: 'dev', regionId: 'cn-hangzhou', imageId: 'm-3', name: '测试镜像', status: 'creation_failed' },
    ]);
    // m-4 is older than 30 days too, but deleted: the report is about what exists.
    expect(section('older_than')).toEqual([{
      account: 'dev', regionId: 'cn-hangzhou', imageId: 'm-3', name: '测试镜像', creationTime: '2020-06-01T00:00:00.000Z', ageDays: 2045,
    }]);
    expect(section('never_used')?.map((r) => r.imageId)).toEqual(['m-3', 'm-1']);
    expect(section('missing_tag')?.map((r) => `${String(r.imageId)}:${String(r.missingTag)}`)).toEqual(['m-3:env', 'm-3:owner', 'm-2:owner']);
    expect(section('changes_by_kind')).toEqual([
      { kind: 'created', events: 4 }, { kind: 'deleted', events: 2 }, { kind: 'restored', events: 1 },
      { kind: 'status_changed', events: 2 }, { kind: 'tags_changed', events: 1 },
    ]);
  });

  it('report: windows, scope and the optional section', async () => {
    const report = await buildReport(h.db, { now: NOW, olderThanDays: 3000, changesDays: 2, requireTags: [], accounts: ['prod'] });
    expect(report.sections.map((s) => s.name)).not.toContain('missing_tag');
    const rows = (name: string) => report.sections.find((s) => s.name === name)?.rows;
    expect(rows('older_than')).toEqual([]);
    expect(rows('changes_by_kind')).toEqual([{ kind: 'deleted', events: 1 }, { kind: 'restored', events: 1 }]);
    expect(rows('by_os_type')).toEqual([{ osType: 'Linux', images: 2 }]);
  });

  it('runs: newest first, regions nested with their errors', async () => {
    const runs = await listRuns(h.db, 3);
    expect(runs.map((r) => r.startedAt)).toEqual([T.T5, T.T4, T.T3]);
    expect(runs[2]).toMatchObject({ status: 'partial', regions: [
      { account: 'prod', regionId: 'ap-southeast-1', status: 'failed', errorCode: 'ServiceUnavailable', errorMessage: 'page 2: HTTP 500' },
      { account: 'prod', regionId: 'cn-hangzhou', status: 'succeeded', errorCode: null },
    ] });
    expect(await listRuns(h.db, 100)).toHaveLength(5);
  });
});
