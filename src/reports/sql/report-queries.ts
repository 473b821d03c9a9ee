/**
 * `report`: one query per section over the current inventory (swas.images_current) and the
 * event log (swas.image_history). Pure; `now` is a parameter so results are reproducible.
 */
import { sql, type SQL } from 'drizzle-orm';
import { intIn, isoText, scopeConditions, whereAll, type ScopeFilter } from './fragments.js';

export interface ReportOptions extends ScopeFilter {
  now: Date;
  /** "Old" images: created more than this many days before `now`. */
  olderThanDays: number;
  /** Window of the change counts, in days before `now`. */
  changesDays: number;
  /** Tag keys every image should carry; empty skips the section. */
  requireTags: readonly string[];
}

export const REPORT_SECTIONS = [
  'by_region_status', 'by_os_type', 'failed_or_unavailable', 'older_than', 'never_used', 'missing_tag', 'changes_by_kind',
] as const;
export type ReportSection = (typeof REPORT_SECTIONS)[number];

/** Status codes counted as trouble: 2 unavailable, 3 creation failed. */
const TROUBLE_STATUSES = [2, 3];

export function buildReportQueries(options: ReportOptions): Record<ReportSection, SQL | undefined> {
  const scope = scopeConditions(options, 'i');
  const now = sql`${options.now.toISOString()}::timestamptz`;
  const image = sql`i.account as "account", i.region_id as "regionId", i.image_id as "imageId", i.name as "name"`;
  return {
    by_region_status: sql`select i.region_id as "regionId", i.status_label as "status", count(*)::int as "images"
from swas.images_current as i ${whereAll(scope)}
group by i.region_id, i.status_label order by i.region_id, i.status_label`,
    by_os_type: sql`select i.os_type as "osType", count(*)::int as "images"
from swas.images_current as i ${whereAll(scope)}
group by i.os_type order by count(*) desc, i.os_type`,
    failed_or_unavailable: sql`select ${image}, i.status_label as "status"
from swas.images_current as i ${whereAll([...scope, intIn(sql`i.status`, TROUBLE_STATUSES)])}
order by i.account, i.region_id, i.image_id`,
    older_than: sql`select ${image}, ${isoText(sql`i.creation_time`)} as "creationTime",
  floor(extract(epoch from (${now} - i.creation_time)) / 86400)::int as "ageDays"
from swas.images_current as i
${whereAll([...scope, sql`i.creation_time < ${now} - make_interval(days => ${options.olderThanDays}::int)`])}
order by i.creation_time, i.account, i.image_id`,
    // "No instance was created from it": CreateInstances empty or absent.
    never_used: sql`select ${image}, ${isoText(sql`i.creation_time`)} as "creationTime"
from swas.images_current as i ${whereAll([...scope, sql`coalesce(cardinality(i.create_instances), 0) = 0`])}
order by i.account, i.region_id, i.image_id`,
    missing_tag: options.requireTags.length === 0 ? undefined : sql`select ${image}, k.key as "missingTag"
from swas.images_current as i
cross join unnest(array[${sql.join(options.requireTags.map((k) => sql`${k}::text`), sql`, `)}]) as k(key)
${whereAll([...scope, sql`i.tags -> k.key is null`])}
order by i.account, i.region_id, i.image_id, k.key`,
    changes_by_kind: sql`select i.kind as "kind", count(*)::int as "events"
from swas.image_history as i
${whereAll([...scope, sql`i.observed_at >= ${now} - make_interval(days => ${options.changesDays}::int)`, sql`i.observed_at <= ${now}`])}
group by i.kind order by i.kind`,
  };
}
