/**
 * The console's overview: how many images there are by status, region, account and OS, and how
 * many events were recorded per day and kind. Pure; `now` is a parameter.
 */
import { sql, type SQL } from 'drizzle-orm';

/**
 * One scan of the current inventory for all four counts (grouping sets): `dimension` says which
 * count a row belongs to, `value` is the status label, region, account or OS type.
 */
export function buildInventoryCountsQuery(): SQL {
  return sql`select case
    when grouping(i.status) = 0 then 'status' when grouping(i.region_id) = 0 then 'region'
    when grouping(i.account) = 0 then 'account' else 'os' end as "dimension",
  coalesce(swas.status_label(i.status), i.region_id, i.account, i.os_type) as "value",
  i.status as "statusCode", count(*)::int as "images"
from swas.images_current as i
group by grouping sets ((i.status), (i.region_id), (i.account), (i.os_type))
order by 1, count(*) desc, 2`;
}

/** Events per UTC day and kind over the `days` days up to `now` (days without events are absent). */
export function buildEventsPerDayQuery(now: Date, days: number): SQL {
  const at = sql`${now.toISOString()}::timestamptz`;
  return sql`select to_char(date_trunc('day', e.observed_at at time zone 'UTC'), 'YYYY-MM-DD') as "day", e.kind as "kind",
  count(*)::int as "events"
from swas.image_history as e
where e.observed_at >= ${at} - make_interval(days => ${days}::int) and e.observed_at <= ${at}
group by 1, 2 order by 1, 2`;
}
