/** `images` now and --as-of over the scripted history, on PGlite and Postgres. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, createTestDatabase } from '../helpers/databases.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { listImages } from '../../src/reports/run-reports.js';
import type { ImagesQueryOptions } from '../../src/reports/sql/images-query.js';
import { T, writeScriptedHistory } from './helpers/scripted-history.js';

const at = (iso: string, deltaMs = 0) => new Date(new Date(iso).getTime() + deltaMs);
const HOUR = 3_600_000;

describe.each(backends())('images as of a time on %s', (kind) => {
  let h: DatabaseHandle;
  beforeAll(async () => {
    h = await createTestDatabase(kind);
    await writeScriptedHistory(h.db);
  });
  afterAll(async () => h?.close());

  /** `imageId:status` of every listed image, in output order. */
  const states = async (options: ImagesQueryOptions) =>
    (await listImages(h.db, options)).map((r) => `${String(r.imageId)}:${String(r.status)}`);

  it('before any image existed: nothing', async () => {
    expect(await states({ asOf: at(T.T1, -1) })).toEqual([]);
    expect(await states({ asOf: at(T.T1, -1), includeDeleted: true })).toEqual([]);
  });

  it('between status changes: the state then', async () => {
    expect(await states({ asOf: at(T.T1, HOUR) })).toEqual(['m-3:creation_failed', 'm-4:available', 'm-1:creating']);
    expect(await states({ asOf: at(T.T2, HOUR) })).toEqual(['m-3:creation_failed', 'm-4:available', 'm-2:available', 'm-1:available']);
  });

  it('at the exact instant of a change: the new state', async () => {
    expect(await states({ asOf: at(T.T2) })).toContain('m-1:available');
    expect(await states({ asOf: at(T.T2, -1) })).toContain('m-1:creating');
    // m-4 was deleted at exactly T3: gone at T3, there a millisecond before.
    expect(await states({ asOf: at(T.T3) })).not.toContain('m-4:available');
    expect(await states({ asOf: at(T.T3, -1) })).toContain('m-4:available');
  });

  it('tags as of the time come from the version', async () => {
    const [m1] = await listImages(h.db, { asOf: at(T.T3, HOUR), accounts: ['prod'], regions: ['cn-hangzhou'] });
    expect(m1).toMatchObject({ imageId: 'm-1', status: 'unavailable', statusCode: 2, tags: { env: 'prod' }, deletedAt: null });
    expect(await states({ asOf: at(T.T2, HOUR), tags: [{ key: 'env', value: 'dev' }] })).toEqual(['m-1:available']);
  });

  it('after its deletion: absent, or listed with the deletion time when asked', async () => {
    expect(await states({ asOf: at(T.T4, HOUR) })).toEqual(['m-3:creation_failed', 'm-2:available']);
    const all = await listImages(h.db, { asOf: at(T.T4, HOUR), includeDeleted: true });
    expect(all.map((r) => [r.imageId, r.status, r.deletedAt])).toEqual([
      ['m-3', 'creation_failed', null], ['m-4', 'available', T.T3], ['m-2', 'available', null], ['m-1', 'unavailable', T.T4],
    ]);
  });

  it('after its restore: back, with its new name and tags', async () => {
    const [m1] = await listImages(h.db, { asOf: at(T.T5, HOUR), accounts: ['prod'], regions: ['cn-hangzhou'] });
    expect(m1).toMatchObject({ imageId: 'm-1', name: 'web-v2', status: 'available', tags: { env: 'prod', owner: 'ops' } });
    expect(await states({ asOf: at(T.T5), includeDeleted: true })).toEqual(['m-3:creation_failed', 'm-4:available', 'm-2:available', 'm-1:available']);
  });

  it('filters by status (as of a time, on that time\'s status)', async () => {
    expect(await states({ asOf: at(T.T3, HOUR), statuses: [2, 3] })).toEqual(['m-3:creation_failed', 'm-1:unavailable']);
    expect(await states({ statuses: [2] })).toEqual([]);
  });

  it('now: the current rows, deleted ones only when asked', async () => {
    expect(await states({})).toEqual(['m-3:creation_failed', 'm-2:available', 'm-1:available']);
    const all = await listImages(h.db, { includeDeleted: true });
    expect(all.find((r) => r.imageId === 'm-4')).toMatchObject({ deletedAt: T.T3, tags: { owner: 'ops' } });
    const [m2] = await listImages(h.db, { regions: ['ap-southeast-1'] });
    expect(m2).toEqual({
      account: 'prod', regionId: 'ap-southeast-1', imageId: 'm-2', name: 'db, "primary"', status: 'available', statusCode: 1,
      osType: 'Linux', creationTime: '2026-01-01T12:00:00.000Z', systemDiskGb: null, instanceId: null,
      createInstances: ['i-1'], tags: { env: 'prod' }, deletedAt: null,
    });
  });

  it('now agrees with as of a time after the last change', async () => {
    const strip = (rows: Array<Record<string, unknown>>) => rows.map(({ deletedAt: _d, ...rest }) => rest);
    expect(strip(await listImages(h.db, { asOf: at(T.T5, HOUR) }))).toEqual(strip(await listImages(h.db, {})));
  });
});
