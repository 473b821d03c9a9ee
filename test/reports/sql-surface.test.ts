/** The SQL surface for BI tools: labels agree with the code, as-of function, swas_reader rights. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { backends, createTestDatabase } from '../helpers/databases.js';
import { queryRows, type DatabaseHandle } from '../../src/db/database.js';
import { statusLabel } from '../../src/reports/parse-filters.js';
import { T, writeScriptedHistory } from './helpers/scripted-history.js';

describe.each(backends())('reporting views on %s', (kind) => {
  let h: DatabaseHandle;
  beforeAll(async () => {
    h = await createTestDatabase(kind);
    await writeScriptedHistory(h.db);
  });
  afterAll(async () => h?.close());

  it('swas.status_label agrees with STATUS_LABELS and keeps unknown codes visible', async () => {
    const codes = [0, 1, 2, 3, 4, 9];
    const rows = await queryRows<{ code: number; label: string }>(h.db,
      sql`select c as code, swas.status_label(c) as label from unnest(array[0, 1, 2, 3, 4, 9]) as c`);
    expect(rows.map((r) => r.label)).toEqual(codes.map((c) => statusLabel(c)));
    expect(rows.at(-1)?.label).toBe('unknown(9)');
  });

  it('swas.images_as_of, images_current and image_history answer in plain SQL', async () => {
    const asOf = await queryRows<{ image_id: string; status_label: string }>(h.db,
      sql`select image_id, status_label from swas.images_as_of('2026-01-03T12:00:00Z') where account = 'prod' order by image_id`);
    expect(asOf).toEqual([{ image_id: 'm-1', status_label: 'unavailable' }, { image_id: 'm-2', status_label: 'available' }]);
    const current = await queryRows<{ n: number }>(h.db, sql`select count(*)::int as n from swas.images_current`);
    expect(current[0]?.n).toBe(3);
    const deleted = await queryRows<{ image_id: string }>(h.db,
      sql`select image_id from swas.image_history where kind = 'deleted' and observed_at = ${T.T4}::timestamptz`);
    expect(deleted).toEqual([{ image_id: 'm-1' }]);
  });

  it('tags come as {key: value} objects; tag_list keeps the stored list', async () => {
    const [row] = await queryRows<Record<string, unknown>>(h.db, sql`select tags, tag_list,
        swas.tags_object('[{"key": "b", "value": "2"}, {"key": "a", "value": "1"}]') as made, swas.tags_object('[]') as empty
      from swas.images_as_of(${T.T5}::timestamptz) where image_id = 'm-1'`);
    expect(row).toEqual({
      tags: { env: 'prod', owner: 'ops' }, tag_list: [{ key: 'env', value: 'prod' }, { key: 'owner', value: 'ops' }],
      made: { a: '1', b: '2' }, empty: {},
    });
  });

  it('status labels are inlined into the views, not called per row', async () => {
    const plan = await queryRows<Record<string, string>>(h.db,
      sql`explain verbose select status_label from swas.images_as_of(now())`);
    const text = plan.map((r) => Object.values(r)[0]).join('\n');
    expect(text).toContain("CASE v.status WHEN 0 THEN 'copying'");
    expect(text).not.toContain('swas.status_label(');
  });

  it('the as-of function is inlined, so callers\' filters reach the GiST index', async () => {
    await h.db.execute(sql`set enable_seqscan = off`);
    const plan = await queryRows<Record<string, string>>(h.db, sql`explain select * from swas.images_as_of(now())`);
    await h.db.execute(sql`reset enable_seqscan`);
    expect(plan.map((r) => Object.values(r)[0]).join('\n')).toContain('custom_image_versions_valid_during_idx');
  });
});

describe('swas_reader on postgres', () => {
  let h: DatabaseHandle;
  beforeAll(async () => {
    h = await createTestDatabase('postgres');
    await writeScriptedHistory(h.db);
  });
  afterAll(async () => h?.close());

  /** Runs one statement as swas_reader, in its own transaction (a refused statement aborts it). */
  const asReader = (query: ReturnType<typeof sql>) => h.db.transaction(async (tx) => {
    await tx.execute(sql`set local role swas_reader`);
    return queryRows<Record<string, unknown>>(tx, query);
  });
  /** The database's own message: drizzle wraps driver errors as `cause`. */
  const refusal = (query: ReturnType<typeof sql>) => asReader(query).then(
    () => 'allowed',
    (err: Error) => String((err.cause as Error | undefined)?.message ?? err.message),
  );

  it('exists, cannot log in', async () => {
    const [role] = await queryRows<{ rolcanlogin: boolean }>(h.db, sql`select rolcanlogin from pg_roles where rolname = 'swas_reader'`);
    expect(role).toEqual({ rolcanlogin: false });
  });

  it.each([
    ['swas.images_current', sql`select count(*)::int as n from swas.images_current`, 3],
    ['swas.images_all', sql`select count(*)::int as n from swas.images_all`, 4],
    ['swas.image_versions', sql`select count(*)::int as n from swas.image_versions`, 7],
    ['swas.image_history', sql`select count(*)::int as n from swas.image_history`, 10],
    ['swas.images_as_of()', sql`select count(*)::int as n from swas.images_as_of('2026-01-04T12:00:00Z')`, 2],
    ['swas.status_codes', sql`select count(*)::int as n from swas.status_codes`, 5],
  ])('can read %s', async (_name, query, expected) => {
    expect(await asReader(query)).toEqual([{ n: expected }]);
  });

  it.each([['runs', 'sync_runs'], ['region_runs', 'region_syncs'], ['region_freshness', 'region_states']])(
    'can read the run bookkeeping through swas.%s (every row of swas.%s)', async (view, table) => {
      const [owner] = await queryRows<{ n: number }>(h.db, sql.raw(`select count(*)::int as n from swas.${table}`));
      expect(await asReader(sql.raw(`select count(*)::int as n from swas.${view}`))).toEqual([owner]);
    });

  it('can read the schema version (drizzle\'s migration journal)', async () => {
    const [row] = await asReader(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    expect(row!.n).toBeGreaterThanOrEqual(4);
  });

  it.each(['custom_images', 'custom_image_tags', 'custom_image_versions', 'image_events', 'sync_runs', 'region_syncs', 'region_states'])(
    'cannot read the base table swas.%s', async (table) => {
      expect(await refusal(sql`select 1 from ${sql.raw(`swas.${table}`)} limit 1`)).toMatch(/permission denied for table/);
    });

  it('cannot write through the views', async () => {
    // image_history is a simple (auto-updatable) view, so only the missing privilege stops this.
    expect(await refusal(sql`delete from swas.image_history`)).toMatch(/permission denied for view image_history/);
    expect(await refusal(sql`update swas.image_versions set name = 'forged'`)).toMatch(/permission denied for view image_versions/);
  });
});
