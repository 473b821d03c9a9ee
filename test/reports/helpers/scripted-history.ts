/**
 * A small, fully scripted history written straight into the tables, with the semantics the sync
 * writes (versions [valid_from, valid_to), events, deleted_at). Times T1..T5 are one day apart.
 *
 *   m-1 prod/cn-hangzhou     T1 created (creating) -> T2 available -> T3 unavailable + tags
 *                            -> T4 deleted -> T5 restored (available, renamed web -> web-v2)
 *   m-2 prod/ap-southeast-1  T2 created (available), an instance was created from it
 *   m-3 dev/cn-hangzhou      T1 created (creation_failed), Windows, created in 2020
 *   m-4 dev/cn-hangzhou      T1 created (available) -> T3 deleted
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../src/db/database.js';

export const T = {
  T1: '2026-01-01T00:00:00.000Z', T2: '2026-01-02T00:00:00.000Z', T3: '2026-01-03T00:00:00.000Z',
  T4: '2026-01-04T00:00:00.000Z', T5: '2026-01-05T00:00:00.000Z',
} as const;
export const NOW = new Date('2026-01-06T00:00:00.000Z');

const RUN = (n: number) => `00000000-0000-0000-0000-00000000000${n}`;
type Tags = Array<{ key: string; value: string }>;

interface Image {
  account: string; imageId: string; regionId: string; name: string; status: number; osType: string;
  creationTime: string; createInstances: string[]; tags: Tags;
}
const m1: Image = { account: 'prod', imageId: 'm-1', regionId: 'cn-hangzhou', name: 'web', status: 4, osType: 'Linux',
  creationTime: '2025-12-31T00:00:00.000Z', createInstances: [], tags: [{ key: 'env', value: 'dev' }] };
const m2: Image = { account: 'prod', imageId: 'm-2', regionId: 'ap-southeast-1', name: 'db, "primary"', status: 1, osType: 'Linux',
  creationTime: '2026-01-01T12:00:00.000Z', createInstances: ['i-1'], tags: [{ key: 'env', value: 'prod' }] };
const m3: Image = { account: 'dev', imageId: 'm-3', regionId: 'cn-hangzhou', name: '测试镜像', status: 3, osType: 'Windows',
  creationTime: '2020-06-01T00:00:00.000Z', createInstances: [], tags: [] };
const m4: Image = { account: 'dev', imageId: 'm-4', regionId: 'cn-hangzhou', name: 'old', status: 1, osType: 'Linux',
  creationTime: '2025-12-01T00:00:00.000Z', createInstances: [], tags: [{ key: 'owner', value: 'ops' }] };

const textArray = (items: string[]) => sql`${`{${items.map((s) => JSON.stringify(s)).join(',')}}`}::text[]`;
const json = (value: unknown) => sql`${JSON.stringify(value)}::jsonb`;
const ts = (value: string | null) => (value === null ? sql`null` : sql`${value}::timestamptz`);

function version(img: Image, run: number, from: string, to: string | null): SQL {
  return sql`insert into swas.custom_image_versions (account, image_id, region_id, name, status, os_type, creation_time,
      create_instances, tags, content_hash, sync_run_id, valid_from, valid_to)
    values (${img.account}, ${img.imageId}, ${img.regionId}, ${img.name}, ${img.status}::smallint, ${img.osType},
      ${ts(img.creationTime)}, ${textArray(img.createInstances)}, ${json(img.tags)}, ${`h-${img.imageId}-${from}`},
      ${RUN(run)}::uuid, ${ts(from)}, ${ts(to)})`;
}

function event(img: Image, run: number, at: string, kind: string, oldStatus: number | null, newStatus: number | null,
  changes: Record<string, { old: unknown; new: unknown }> = {}): SQL {
  return sql`insert into swas.image_events (sync_run_id, observed_at, account, region_id, image_id, kind, old_status, new_status, changes)
    values (${RUN(run)}::uuid, ${ts(at)}, ${img.account}, ${img.regionId}, ${img.imageId}, ${kind},
      ${oldStatus}::smallint, ${newStatus}::smallint, ${json(changes)})`;
}

function current(img: Image, firstSeen: string, deletedAt: string | null): SQL[] {
  return [
    sql`insert into swas.custom_images (account, image_id, region_id, name, status, os_type, creation_time, create_instances,
        raw, content_hash, first_seen_at, changed_at, deleted_at)
      values (${img.account}, ${img.imageId}, ${img.regionId}, ${img.name}, ${img.status}::smallint, ${img.osType},
        ${ts(img.creationTime)}, ${textArray(img.createInstances)}, ${json({ ImageId: img.imageId })}, 'h', ${ts(firstSeen)},
        ${ts(deletedAt ?? firstSeen)}, ${ts(deletedAt)})`,
    ...img.tags.map((t) => sql`insert into swas.custom_image_tags (account, image_id, key, value)
      values (${img.account}, ${img.imageId}, ${t.key}, ${t.value})`),
  ];
}

function runs(): SQL[] {
  return [1, 2, 3, 4, 5].flatMap((n) => {
    const at = Object.values(T)[n - 1] as string;
    const failed = n === 3;
    return [
      sql`insert into swas.sync_runs (id, trigger, status, started_at, finished_at, regions_total, images_seen)
        values (${RUN(n)}::uuid, 'cli', ${failed ? 'partial' : 'succeeded'}, ${ts(at)}, ${ts(at)}, 2, 3)`,
      sql`insert into swas.region_syncs (sync_run_id, account, region_id, status, pages, images_seen, created, started_at, finished_at)
        values (${RUN(n)}::uuid, 'prod', 'cn-hangzhou', 'succeeded', 1, 1, ${n === 1 ? 1 : 0}, ${ts(at)}, ${ts(at)})`,
      sql`insert into swas.region_syncs (sync_run_id, account, region_id, status, pages, images_seen, error_code, error_message, started_at, finished_at)
        values (${RUN(n)}::uuid, 'prod', 'ap-southeast-1', ${failed ? 'failed' : 'succeeded'}, 1, ${failed ? 0 : 1},
          ${failed ? 'ServiceUnavailable' : null}, ${failed ? 'page 2: HTTP 500' : null}, ${ts(at)}, ${ts(at)})`,
    ];
  });
}

export async function writeScriptedHistory(db: Db): Promise<void> {
  const { T1, T2, T3, T4, T5 } = T;
  const m1Available = { ...m1, status: 1 };
  const m1Unavailable = { ...m1, status: 2, tags: [{ key: 'env', value: 'prod' }] };
  const m1Restored = { ...m1, status: 1, name: 'web-v2', tags: [{ key: 'env', value: 'prod' }, { key: 'owner', value: 'ops' }] };
  const statements: SQL[] = [
    ...runs(),
    version(m1, 1, T1, T2), version(m1Available, 2, T2, T3), version(m1Unavailable, 3, T3, T4), version(m1Restored, 5, T5, null),
    version(m2, 2, T2, null), version(m3, 1, T1, null), version(m4, 1, T1, T3),
    event(m1, 1, T1, 'created', null, 4), event(m3, 1, T1, 'created', null, 3), event(m4, 1, T1, 'created', null, 1),
    event(m1, 2, T2, 'status_changed', 4, 1, { status: { old: 4, new: 1 } }), event(m2, 2, T2, 'created', null, 1),
    event(m1, 3, T3, 'status_changed', 1, 2, { status: { old: 1, new: 2 } }),
    event(m1, 3, T3, 'tags_changed', 2, 2, { tags: { old: m1.tags, new: m1Unavailable.tags } }),
    event(m4, 3, T3, 'deleted', 1, null),
    event(m1, 4, T4, 'deleted', 2, null),
    event(m1, 5, T5, 'restored', null, 1, {
      name: { old: 'web', new: 'web-v2' }, status: { old: 2, new: 1 }, tags: { old: m1Unavailable.tags, new: m1Restored.tags },
    }),
    ...current(m1Restored, T1, null), ...current(m2, T2, null), ...current(m3, T1, null), ...current(m4, T1, T3),
  ];
  for (const statement of statements) await db.execute(statement);
}
