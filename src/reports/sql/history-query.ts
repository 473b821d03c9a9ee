/** `history`: the event log with status labels (swas.image_history), oldest first. Pure. */
import { sql, type SQL } from 'drizzle-orm';
import type { EventKind } from '../../sync/types.js';
import { isoText, scopeConditions, textIn, timeParam, whereAll, type ScopeFilter } from './fragments.js';

export interface HistoryQueryOptions extends ScopeFilter {
  imageIds?: readonly string[] | undefined;
  kinds?: readonly EventKind[] | undefined;
  /** Inclusive. */
  since?: Date | undefined;
  /** Exclusive, so consecutive windows never count an event twice. */
  until?: Date | undefined;
}

export function buildHistoryQuery(options: HistoryQueryOptions): SQL {
  const conditions = [
    ...scopeConditions(options, 'e'),
    textIn(sql`e.image_id`, options.imageIds),
    textIn(sql`e.kind`, options.kinds),
    options.since ? sql`e.observed_at >= ${timeParam(options.since)}` : undefined,
    options.until ? sql`e.observed_at < ${timeParam(options.until)}` : undefined,
  ];
  return sql`select ${isoText(sql`e.observed_at`)} as "observedAt", e.account as "account", e.region_id as "regionId",
  e.image_id as "imageId", e.kind as "kind", e.old_status_label as "fromStatus", e.new_status_label as "toStatus",
  e.changes as "changes", e.event_id::text as "eventId", e.sync_run_id::text as "syncRunId"
from swas.image_history as e
${whereAll(conditions)}
order by e.observed_at, e.event_id`;
}
