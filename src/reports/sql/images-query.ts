/**
 * `images`: the inventory now (swas.images_current / images_all) or as it was at a time
 * (swas.images_as_of). Pure: returns SQL, runs nothing.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { ImageTag } from '../../domain/vocabulary.js';
import { intIn, isoText, scopeConditions, timeParam, whereAll, type ScopeFilter } from './fragments.js';

export interface ImagesQueryOptions extends ScopeFilter {
  /** Absent: now. */
  asOf?: Date | undefined;
  statuses?: readonly number[] | undefined;
  /** Every tag must match (key=value). */
  tags?: readonly ImageTag[] | undefined;
  /** Also list images deleted by then, with `deletedAt`. */
  includeDeleted?: boolean | undefined;
}

/**
 * Tags of the current rows come as a `{key: value}` object; as of a time they come as the
 * version's stored `[{key, value}]` list (`tag_list`), because building objects in SQL doubled
 * the time of a full as-of listing; listImages turns lists into objects, so output is the same.
 */
export function buildImagesQuery(options: ImagesQueryOptions): SQL {
  const asOf = options.asOf !== undefined;
  const conditions = [
    ...scopeConditions(options, 'i'),
    intIn(sql`i.status`, options.statuses),
    ...(options.tags ?? []).map((t) => (asOf
      ? sql`i.tag_list @> jsonb_build_array(jsonb_build_object('key', ${t.key}::text, 'value', ${t.value}::text))`
      : sql`i.tags @> jsonb_build_object(${t.key}::text, ${t.value}::text)`)),
  ];
  return sql`select i.account as "account", i.region_id as "regionId", i.image_id as "imageId", i.name as "name",
  i.status_label as "status", i.status as "statusCode", i.os_type as "osType",
  ${isoText(sql`i.creation_time`)} as "creationTime", i.required_system_disk_size as "systemDiskGb",
  i.instance_id as "instanceId", i.create_instances as "createInstances", ${asOf ? sql`i.tag_list` : sql`i.tags`} as "tags",
  ${isoText(sql`i.deleted_at`)} as "deletedAt"
from ${imagesSource(options)} as i
${whereAll(conditions)}
order by i.account, i.region_id, i.image_id`;
}

function imagesSource(options: ImagesQueryOptions): SQL {
  if (!options.asOf) return options.includeDeleted ? sql`swas.images_all` : sql`swas.images_current`;
  const at = timeParam(options.asOf);
  // Present at `at`: exactly one version contains it (GiST index via images_as_of).
  if (!options.includeDeleted) return sql`(select *, null::timestamptz as deleted_at from swas.images_as_of(${at}))`;
  // Deleted by `at` too: each image's latest version that had begun by then; if it had also
  // ended by then, the image was gone and its end is the deletion time. Reads every version
  // older than `at`, which is why it is opt-in.
  return sql`(select *, case when v.valid_to <= ${at} then v.valid_to end as deleted_at
    from (select distinct on (account, image_id) * from swas.image_versions
          where valid_from <= ${at} order by account, image_id, valid_from desc) as v)`;
}
