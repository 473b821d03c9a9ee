import type { Account } from '../config/accounts.js';
import type { Config } from '../config/env.js';
import { listAvailableRegions, type RegionTarget } from '../cloud/list-regions.js';
import type { SwasClients } from '../cloud/swas-client.js';
import { selectRegions, type UnknownRegion } from '../config/select-regions.js';
import { settleBounded } from '../domain/settle-bounded.js';

export interface PlannedRegion extends RegionTarget {
  account: Account;
}

export interface RegionPlan {
  regions: PlannedRegion[];
  /** Accounts whose region discovery failed: the run reports them instead of silently skipping. */
  failures: Array<{ account: Account; error: unknown }>;
  /** Regions asked for by name that ListRegions does not return: a configuration error. */
  unknown: UnknownRegion[];
  /** Every region id some account's ListRegions returned (for the error's hint). */
  availableIds: string[];
}

/**
 * The fan-out of a run: every (account, region) to sync. One account's failing ListRegions must
 * not stop the others, and must not read as "no regions" (which would look like a clean run).
 * Discovery keeps to the run's calls in flight (`concurrency`), like the listings after it.
 */
export async function planRegions(
  clients: SwasClients,
  accounts: readonly Account[],
  config: Pick<Config, 'regions'>,
  only: readonly string[] = [],
  concurrency = Number.POSITIVE_INFINITY,
): Promise<RegionPlan> {
  const plan: RegionPlan = { regions: [], failures: [], unknown: [], availableIds: [] };
  const available = new Set<string>();
  const settled = await settleBounded(accounts, Number.isFinite(concurrency) ? concurrency : Math.max(1, accounts.length),
    (account) => listAvailableRegions(clients, account));
  settled.forEach((outcome, i) => {
    const account = accounts[i] as Account;
    if (outcome.status === 'rejected') {
      plan.failures.push({ account, error: outcome.reason });
      return;
    }
    for (const r of outcome.value) available.add(r.regionId);
    const { targets, unknown } = selectRegions(outcome.value, account, { only, configured: config.regions });
    plan.unknown.push(...unknown);
    for (const target of targets) plan.regions.push({ ...target, account });
  });
  plan.availableIds = [...available].sort();
  return plan;
}
