/**
 * `runs`: the most recent sync runs, each with its per-region outcomes nested as JSON. Pure.
 * json rather than jsonb so the keys keep the order written here in the output. Reads the views
 * (swas.runs, swas.region_runs), so a swas_reader login can run it.
 */
import { sql, type SQL } from 'drizzle-orm';
import { isoText } from './fragments.js';

/** The newest `limit` runs after skipping `offset`; `runIds` picks runs by id instead (the console's run page); `oldest` starts from the first run. */
export function buildRunsQuery(limit: number, options: { offset?: number; runIds?: readonly string[]; oldest?: boolean } = {}): SQL {
  return sql`select r.id::text as "runId", r.trigger as "trigger", r.status as "status",
  ${isoText(sql`r.started_at`)} as "startedAt", ${isoText(sql`r.finished_at`)} as "finishedAt",
  r.images_seen as "imagesSeen", r.error as "error",
  coalesce((select json_agg(json_build_object(
      'account', s.account, 'regionId', s.region_id, 'status', s.status, 'attempts', s.attempts,
      'pages', s.pages, 'apiCalls', s.api_calls, 'images', s.images_seen,
      'created', s.created, 'updated', s.updated, 'statusChanged', s.status_changed,
      'tagsChanged', s.tags_changed, 'deleted', s.deleted, 'restored', s.restored,
      'errorCode', s.error_code, 'errorMessage', s.error_message,
      'startedAt', ${isoText(sql`s.started_at`)}, 'finishedAt', ${isoText(sql`s.finished_at`)})
    order by s.account, s.region_id)
    from swas.region_runs as s where s.sync_run_id = r.id), '[]'::json) as "regions"
from swas.runs as r
${options.runIds ? sql`where r.id in (${sql.join(options.runIds.map((id) => sql`${id}::uuid`), sql`, `)})` : sql``}
${options.oldest ? sql`order by r.started_at, r.id` : sql`order by r.started_at desc, r.id`}
limit ${limit}::int
${options.offset ? sql`offset ${options.offset}::int` : sql``}`;
}
