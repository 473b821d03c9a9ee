/**
 * `status`: each (account, region)'s last complete listing and last outcome (region_states),
 * with the error of that last attempt (its region_syncs row), through the views swas_reader may read. Pure.
 */
import { sql, type SQL } from 'drizzle-orm';
import { isoText, scopeConditions, whereAll, type ScopeFilter } from './fragments.js';

export function buildStatusQuery(scope: ScopeFilter): SQL {
  return sql`select s.account as "account", s.region_id as "regionId",
  ${isoText(sql`s.last_complete_listing_at`)} as "lastCompleteListingAt", s.last_status as "lastOutcome",
  ${isoText(sql`s.updated_at`)} as "lastAttemptAt", s.last_sync_run_id::text as "lastSyncRunId",
  r.error_code as "errorCode", r.error_message as "errorMessage"
from swas.region_freshness as s
left join swas.region_runs as r on r.sync_run_id = s.last_sync_run_id and r.account = s.account and r.region_id = s.region_id
${whereAll(scopeConditions(scope, 's'))}
order by s.account, s.region_id`;
}
