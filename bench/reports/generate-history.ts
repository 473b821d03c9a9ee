/**
 * Fills a migrated database with a synthetic history shaped like the sync writes it, entirely
 * inside Postgres (generate_series, no rows cross the wire) so 1,000,000 versions take minutes on
 * 2 cores:
 *   accounts x imagesPerAccount images over 5 regions, each with versionsPerImage versions one
 *   week apart (jittered by hour per image) ending in the last week; rows are inserted in time
 *   order, as successive syncs would; one event per version (created, then status_changed,
 *   tags_changed and updated (a rename) in turn, each matching what changed between the two
 *   versions); every 20th image deleted a day after its last change.
 * Default 50 x 200 x 100 = 1,000,000 versions and 1,000,500 events.
 */
import type { Sql } from 'postgres';

export interface GenerateOptions {
  accounts: number;
  imagesPerAccount: number;
  versionsPerImage: number;
}

export interface GeneratedCounts {
  versions: number;
  events: number;
  images: number;
  seconds: number;
}

export async function generateHistory(client: Sql, o: GenerateOptions): Promise<GeneratedCounts> {
  const started = performance.now();
  const images = o.accounts * o.imagesPerAccount;
  const last = o.versionsPerImage - 1;
  // Session-only settings that make a bulk load cheap; durability does not matter for a bench.
  await client.unsafe(`set synchronous_commit = off; set maintenance_work_mem = '256MB'; set work_mem = '64MB'`);
  await client.unsafe(`create temp table bench_params as select
    date_trunc('hour', now()) - interval '7 days' * ${o.versionsPerImage} as start, ${images} as images, ${last} as last`);
  // valid_from of version k of image i; the per-image jitter (< 6 days) keeps versions in order.
  const vf = (i: string, k: string) => `(p.start + interval '7 days' * (${k}) + interval '1 hour' * ((${i}) % 144))`;
  const account = (i: string) => `'acct-' || lpad(((${i}) / ${o.imagesPerAccount})::text, 2, '0')`;
  const imageId = (i: string) => `'m-bench' || lpad((${i})::text, 7, '0')`;
  const region = (i: string) => `(array['cn-hangzhou','cn-shanghai','cn-beijing','ap-southeast-1','us-west-1'])[1 + (${i}) % 5]`;
  const status = (i: string, k: string) => `(case when (${k}) = 0 then 4 else (array[1,1,1,2,0,1,3])[1 + ((${i}) + ((${k}) + 2) / 3) % 7] end)::smallint`;
  const tags = (i: string, k: string) => `jsonb_build_array(jsonb_build_object('key', 'env', 'value', case when (((${k}) + 1) / 3) % 2 = 1 then 'staging' else 'prod' end))
      || case when (${i}) % 7 = 0 then '[]'::jsonb else jsonb_build_array(jsonb_build_object('key', 'owner', 'value', 'team-' || (${i}) % 13)) end`;

  await client.unsafe(`insert into swas.custom_image_versions (account, image_id, region_id, name, status, os_type,
      creation_time, required_system_disk_size, create_instances, tags, content_hash, sync_run_id, valid_from, valid_to)
    select ${account('i')}, ${imageId('i')}, ${region('i')}, 'image-' || i || '-v' || (k / 3), ${status('i', 'k')},
      case when i % 4 = 0 then 'Windows' else 'Linux' end,
      p.start - interval '1 day' * (i % 1000), 40 + (i % 3) * 20,
      case when i % 3 = 0 then array['i-' || i] end, ${tags('i', 'k')}, md5(i || ':' || k), md5('run:' || k)::uuid,
      ${vf('i', 'k')},
      case when k < p.last then ${vf('i', 'k + 1')} when i % 20 = 0 then ${vf('i', 'k')} + interval '1 day' end
    from bench_params p, generate_series(0, p.last) k, generate_series(0, p.images - 1) i
    order by k, i`);

  await client.unsafe(`insert into swas.image_events (sync_run_id, observed_at, account, region_id, image_id, kind,
      old_status, new_status, changes)
    select md5('run:' || k)::uuid, ${vf('i', 'k')}, ${account('i')}, ${region('i')}, ${imageId('i')}, e.kind,
      case when k > 0 then ${status('i', 'k - 1')} end, ${status('i', 'k')},
      case e.kind
        when 'created' then '{}'::jsonb
        when 'status_changed' then jsonb_build_object('status', jsonb_build_object('old', ${status('i', 'k - 1')}, 'new', ${status('i', 'k')}))
        when 'tags_changed' then jsonb_build_object('tags', jsonb_build_object('old', ${tags('i', 'k - 1')}, 'new', ${tags('i', 'k')}))
        else jsonb_build_object('name', jsonb_build_object('old', 'image-' || i || '-v' || ((k - 1) / 3), 'new', 'image-' || i || '-v' || (k / 3)))
      end
    from bench_params p, generate_series(0, p.last) k, generate_series(0, p.images - 1) i,
      lateral (select case when k = 0 then 'created' else (array['updated','status_changed','tags_changed'])[1 + k % 3] end as kind) e
    order by k, i`);

  await client.unsafe(`insert into swas.image_events (sync_run_id, observed_at, account, region_id, image_id, kind, old_status)
    select md5('run:final')::uuid, ${vf('i', 'p.last')} + interval '1 day', ${account('i')}, ${region('i')}, ${imageId('i')},
      'deleted', ${status('i', 'p.last')}
    from bench_params p, generate_series(0, p.images - 1, 20) i`);

  await client.unsafe(`insert into swas.custom_images (account, image_id, region_id, name, status, os_type, creation_time,
      required_system_disk_size, create_instances, raw, content_hash, first_seen_at, changed_at, deleted_at)
    select distinct on (account, image_id) account, image_id, region_id, name, status, os_type, creation_time,
      required_system_disk_size, create_instances, '{}'::jsonb, content_hash, valid_from, coalesce(valid_to, valid_from), valid_to
    from swas.custom_image_versions order by account, image_id, valid_from desc`);
  await client.unsafe(`insert into swas.custom_image_tags (account, image_id, key, value)
    select v.account, v.image_id, t ->> 'key', t ->> 'value'
    from swas.custom_image_versions v, jsonb_array_elements(v.tags) t where v.valid_to is null`);

  await client.unsafe(`insert into swas.sync_runs (id, trigger, status, started_at, finished_at, regions_total, regions_succeeded, images_seen)
    select md5('run:' || k)::uuid, 'schedule', 'succeeded', p.start + interval '7 days' * k, p.start + interval '7 days' * k + interval '6 days',
      ${o.accounts * 5}, ${o.accounts * 5}, p.images
    from bench_params p, generate_series(0, p.last) k`);
  await client.unsafe(`insert into swas.region_syncs (sync_run_id, account, region_id, status, pages, api_calls, images_seen, started_at, finished_at)
    select md5('run:' || k)::uuid, 'acct-' || lpad(a::text, 2, '0'), r, 'succeeded', 1, 1, ${o.imagesPerAccount / 5},
      p.start + interval '7 days' * k, p.start + interval '7 days' * k + interval '1 minute'
    from bench_params p, generate_series(0, p.last) k, generate_series(0, ${o.accounts - 1}) a,
      unnest(array['cn-hangzhou','cn-shanghai','cn-beijing','ap-southeast-1','us-west-1']) r`);
  // VACUUM as autovacuum soon would: sets the visibility map, so index-only scans skip the heap.
  await client.unsafe('vacuum analyze');

  const [counts] = await client.unsafe<Array<{ versions: number; events: number; images: number }>>(`select
    (select count(*)::int from swas.custom_image_versions) as versions,
    (select count(*)::int from swas.image_events) as events,
    (select count(*)::int from swas.custom_images) as images`);
  return { versions: counts?.versions ?? 0, events: counts?.events ?? 0, images: counts?.images ?? 0,
    seconds: Math.round((performance.now() - started) / 100) / 10 };
}
