import type { Account } from '../config/accounts.js';
import type { Config } from '../config/env.js';
import { listRegions, type RegionTarget } from '../cloud/list-regions.js';
import type { SwasClients } from '../cloud/swas-client.js';

export interface PlannedRegion extends RegionTarget {
  account: Account;
}

export interface RegionPlan {
  regions: PlannedRegion[];
  /** Accounts whose region discovery failed: the run reports them instead of silently skipping. */
  failures: Array<{ account: Account; error: unknown }>;
}

/**
 * The fan-out of a run: every (account, region) to sync. One account's failing ListRegions must
 * not stop the others, and must not read as "no regions" (which would look like a clean run).
 */
export async function planRegions(
  clients: SwasClients,
  accounts: readonly Account[],
  config: Pick<Config, 'regions'>,
  only: readonly string[] = [],
): Promise<RegionPlan> {
  const plan: RegionPlan = { regions: [], failures: [] };
  const settled = await Promise.allSettled(accounts.map((account) => listRegions(clients, account, config)));
  settled.forEach((outcome, i) => {
    const account = accounts[i] as Account;
    if (outcome.status === 'rejected') {
      plan.failures.push({ account, error: outcome.reason });
      return;
    }
    for (const target of outcome.value) {
      if (only.length === 0 || only.includes(target.regionId)) plan.regions.push({ ...target, account });
    }
  });
  return plan;
}
