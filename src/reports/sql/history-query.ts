/**
 * `history`: the event log with status labels (swas.image_history) and each image's latest known
 * name, newest first unless asked otherwise. Pure.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { EventKind } from '../../domain/vocabulary.js';
import { isoText, scopeConditions, textIn, timeParam, whereAll, type ScopeFilter } from './fragments.js';

export interface HistoryQueryOptions extends ScopeFilter {
  imageIds?: readonly string[] | undefined;
  kinds?: readonly EventKind[] | undefined;
  /** Inclusive. */
  since?: Date | undefined;
  /** Exclusive, so consecutive windows never count an event twice. */
  until?: Date | undefined;
  /** Default newest first: the change you came for is on top, not under the first sync's `created` rows. */
  oldestFirst?: boolean | undefined;
  /** At most this many events (from the chosen end). Default all. */
  limit?: number | undefined;
  /** Skip this many first (a page of the console's change feed). */
  offset?: number | undefined;
  /** Only events these runs recorded. */
  syncRunIds?: readonly string[] | undefined;
  /** Only these events (`history --follow` reads them in commit order first, then their rows here). */
  eventIds?: readonly number[] | undefined;
}

export function buildHistoryQuery(options: HistoryQueryOptions): SQL {
  const conditions = [
    ...scopeConditions(options, 'e'),
    textIn(sql`e.image_id`, options.imageIds),
    textIn(sql`e.kind`, options.kinds),
    options.syncRunIds && options.syncRunIds.length > 0
      ? sql`e.sync_run_id in (${sql.join(options.syncRunIds.map((id) => sql`${id}::uuid`), sql`, `)})` : undefined,
    options.since ? sql`e.observed_at >= ${timeParam(options.since)}` : undefined,
    options.until ? sql`e.observed_at < ${timeParam(options.until)}` : undefined,
    options.eventIds ? sql`e.event_id in (select jsonb_array_elements_text(${JSON.stringify(options.eventIds)}::jsonb)::bigint)` : undefined,
  ];
  const direction = options.oldestFirst ? sql`asc` : sql`desc`;
  // The name is the image's latest known one (deleted images keep theirs in images_all): it
  // says which image an id is; what it was called at the time is in the event's `changes`.
  return sql`select ${isoText(sql`e.observed_at`)} as "observedAt", e.account as "account", e.region_id as "regionId",
  e.image_id as "imageId", i.name as "name", e.kind as "kind", e.old_status_label as "fromStatus", e.new_status_label as "toStatus",
  e.changes as "changes", e.event_id::text as "eventId", e.sync_run_id::text as "syncRunId"
from swas.image_history as e
left join swas.images_all as i on i.account = e.account and i.region_id = e.region_id and i.image_id = e.image_id
${whereAll(conditions)}
order by e.observed_at ${direction}, e.event_id ${direction}
${options.limit !== undefined ? sql`limit ${options.limit}::int` : sql``}
${options.offset ? sql`offset ${options.offset}::int` : sql``}`;
}
