/**
 * `images`: the inventory now (swas.images_current / images_all) or as it was at a time
 * (swas.images_as_of). Pure: returns SQL, runs nothing.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { ImageTag } from '../../domain/vocabulary.js';
import { intIn, isoText, scopeConditions, textIn, timeParam, whereAll, type ScopeFilter } from './fragments.js';

export interface ImagesQueryOptions extends ScopeFilter {
  /** Absent: now. */
  asOf?: Date | undefined;
  statuses?: readonly number[] | undefined;
  /** Every tag must match (key=value). */
  tags?: readonly ImageTag[] | undefined;
  /** Also list images deleted by then, with `deletedAt`. */
  includeDeleted?: boolean | undefined;
  /** Only these image ids. */
  imageIds?: readonly string[] | undefined;
  /** Only these OS types (exact). */
  osTypes?: readonly string[] | undefined;
  /** Every key must be present, whatever its value. */
  tagKeys?: readonly string[] | undefined;
  /** A substring of the name or the image id, case-insensitive. */
  search?: string | undefined;
  /** Order (default: account, region, image id, as the CLI lists them); ties always by those. */
  sort?: { by: ImagesSortKey; descending: boolean } | undefined;
  /** A page: at most `limit` rows after skipping `offset` (the console pages in SQL). */
  limit?: number | undefined;
  offset?: number | undefined;
}

/** The columns a listing may be sorted by, and their SQL (whitelisted: never spliced from input). */
export const IMAGES_SORT_KEYS = {
  account: 'i.account', region: 'i.region_id', image: 'i.image_id', name: 'i.name', status: 'i.status',
  os: 'i.os_type', created: 'i.creation_time',
} as const;
export type ImagesSortKey = keyof typeof IMAGES_SORT_KEYS;

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
    ...(options.tagKeys ?? []).map((key) => (asOf
      ? sql`i.tag_list @> jsonb_build_array(jsonb_build_object('key', ${key}::text))`
      : sql`(i.tags -> ${key}::text) is not null`)),
    textIn(sql`i.image_id`, options.imageIds),
    textIn(sql`i.os_type`, options.osTypes),
    // strpos, not LIKE: a user's % or _ is text to find, not a wildcard.
    options.search ? sql`(strpos(lower(i.name), lower(${options.search}::text)) > 0 or strpos(lower(i.image_id), lower(${options.search}::text)) > 0)` : undefined,
  ];
  return sql`select i.account as "account", i.region_id as "regionId", i.image_id as "imageId", i.name as "name",
  i.status_label as "status", i.status as "statusCode", i.os_type as "osType",
  ${isoText(sql`i.creation_time`)} as "creationTime", i.required_system_disk_size as "systemDiskGb",
  i.instance_id as "instanceId", i.create_instances as "createInstances", ${asOf ? sql`i.tag_list` : sql`i.tags`} as "tags",
  ${isoText(sql`i.deleted_at`)} as "deletedAt"
from ${imagesSource(options)} as i
${whereAll(conditions)}
${orderBy(options)}
${options.limit !== undefined ? sql`limit ${options.limit}::int` : sql``}
${options.offset ? sql`offset ${options.offset}::int` : sql``}`;
}

function orderBy(options: ImagesQueryOptions): SQL {
  const key = options.sort ? IMAGES_SORT_KEYS[options.sort.by] : undefined;
  if (!key || !options.sort) return sql`order by i.account, i.region_id, i.image_id`;
  return sql`order by ${sql.raw(key)} ${options.sort.descending ? sql`desc nulls last` : sql`asc nulls last`}, i.account, i.region_id, i.image_id`;
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
