/** The builders are pure: check the SQL text they produce and that every value is a parameter. */
import { describe, expect, it } from 'vitest';
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { buildHistoryQuery } from '../../src/reports/sql/history-query.js';
import { buildImagesQuery } from '../../src/reports/sql/images-query.js';
import { buildReportQueries } from '../../src/reports/sql/report-queries.js';
import { buildRunsQuery } from '../../src/reports/sql/runs-query.js';

const dialect = new PgDialect();
const render = (query: SQL) => {
  const { sql, params } = dialect.sqlToQuery(query);
  return { text: sql.replace(/\s+/g, ' '), params };
};
const AT = new Date('2026-01-02T03:04:05.000Z');

describe('images query', () => {
  it('now: the current view, no filters, stable order', () => {
    const { text, params } = render(buildImagesQuery({}));
    expect(text).toContain('from swas.images_current as i order by i.account, i.region_id, i.image_id');
    expect(text).not.toContain('where');
    expect(params).toEqual([]);
  });

  it('now with deleted images: images_all', () => {
    expect(render(buildImagesQuery({ includeDeleted: true })).text).toContain('from swas.images_all as i');
  });

  it('as of a time: images_as_of with the time as a parameter', () => {
    const { text, params } = render(buildImagesQuery({ asOf: AT }));
    expect(text).toContain('from swas.images_as_of($1::timestamptz)');
    expect(params).toEqual(['2026-01-02T03:04:05.000Z']);
  });

  it('as of a time with deleted images: latest begun version, deletion from its end', () => {
    const { text } = render(buildImagesQuery({ asOf: AT, includeDeleted: true }));
    expect(text).toContain('case when v.valid_to <= $1::timestamptz then v.valid_to end as deleted_at');
    expect(text).toContain('select distinct on (account, image_id) * from swas.image_versions where valid_from <= $2::timestamptz order by account, image_id, valid_from desc');
  });

  it('as of a time, tags come as the stored list and are matched as list elements', () => {
    const { text, params } = render(buildImagesQuery({ asOf: AT, tags: [{ key: 'env', value: 'prod' }] }));
    expect(text).toContain('i.tag_list as "tags"');
    expect(text).toContain("where i.tag_list @> jsonb_build_array(jsonb_build_object('key', $2::text, 'value', $3::text))");
    expect(params).toEqual(['2026-01-02T03:04:05.000Z', 'env', 'prod']);
  });

  it('filters are parameters joined with and', () => {
    const { text, params } = render(buildImagesQuery({
      accounts: ['a', "o'brien"], regions: ['r'], statuses: [1, 3], tags: [{ key: 'env', value: 'prod' }, { key: 'k', value: 'v' }],
    }));
    expect(text).toContain('where i.account in ($1::text, $2::text) and i.region_id in ($3::text) and i.status in ($4::int, $5::int) ' +
      'and i.tags @> jsonb_build_object($6::text, $7::text) and i.tags @> jsonb_build_object($8::text, $9::text)');
    expect(params).toEqual(['a', "o'brien", 'r', 1, 3, 'env', 'prod', 'k', 'v']);
  });
});

describe('history query', () => {
  it('half-open window, kinds, images; oldest first when asked', () => {
    const { text, params } = render(buildHistoryQuery({
      imageIds: ['m-1'], kinds: ['deleted', 'restored'], since: AT, until: new Date('2026-02-01T00:00:00Z'), oldestFirst: true,
    }));
    expect(text).toContain('where e.image_id in ($1::text) and e.kind in ($2::text, $3::text) ' +
      'and e.observed_at >= $4::timestamptz and e.observed_at < $5::timestamptz order by e.observed_at asc, e.event_id asc');
    expect(params).toEqual(['m-1', 'deleted', 'restored', '2026-01-02T03:04:05.000Z', '2026-02-01T00:00:00.000Z']);
  });

  it('newest first by default; a limit is a parameter; the name comes from images_all on the full key', () => {
    const { text, params } = render(buildHistoryQuery({ limit: 20 }));
    expect(text).toContain('left join swas.images_all as i on i.account = e.account and i.region_id = e.region_id and i.image_id = e.image_id');
    expect(text).toContain('order by e.observed_at desc, e.event_id desc limit $1::int');
    expect(params).toEqual([20]);
  });
});

describe('report queries', () => {
  it('one query per section; missing_tag only with required tags', () => {
    const without = buildReportQueries({ now: AT, olderThanDays: 90, changesDays: 7, requireTags: [] });
    expect(without.missing_tag).toBeUndefined();
    const withTags = buildReportQueries({ now: AT, olderThanDays: 90, changesDays: 7, requireTags: ['owner'], accounts: ['a'] });
    const missing = render(withTags.missing_tag as SQL);
    expect(missing.text).toContain('cross join unnest(array[$1::text]) as k(key) where i.account in ($2::text) and i.tags -> k.key is null');
    expect(missing.params).toEqual(['owner', 'a']);
    const changes = render(withTags.changes_by_kind as SQL);
    expect(changes.text).toContain('from swas.image_history as i where i.account in ($1::text) and i.observed_at >= $2::timestamptz - make_interval(days => $3::int)');
    expect(changes.params).toEqual(['a', '2026-01-02T03:04:05.000Z', 7, '2026-01-02T03:04:05.000Z']);
    expect(render(withTags.failed_or_unavailable as SQL).text).toContain('i.status in ($2::int, $3::int)');
  });
});

describe('runs query', () => {
  it('newest first, limit as a parameter', () => {
    const { text, params } = render(buildRunsQuery(5));
    expect(text).toContain('from swas.runs as r order by r.started_at desc, r.id limit $1::int');
    expect(params).toEqual([5]);
  });
});
