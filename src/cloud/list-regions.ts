/**
 * Region discovery: one ListRegions call per account, filtered by SWAS_REGIONS and the account's
 * allow/deny lists. Throws on any failure; an empty answer is returned as such (it means no
 * region to list, which can never produce a deletion).
 */
import { ListRegionsRequest } from '@alicloud/swas-open20200601';
import { accountAllowsRegion, type Account } from '../config/accounts.js';
import type { Config } from '../config/env.js';
import { MalformedResponseError } from '../sync/errors.js';
import { singleAttemptRuntime, type Endpoint, type SwasClients } from './swas-client.js';

export interface RegionTarget {
  regionId: string;
  /** Where this region's calls go (SWAS_ENDPOINT if set, else its RegionEndpoint). */
  endpoint: Endpoint;
}

/**
 * Lists the regions `account` should sync, sorted by id. The typed SDK method is fine here: every
 * field we read is a plain string and nothing of it is stored.
 */
export async function listRegions(
  clients: SwasClients,
  account: Account,
  config: Pick<Config, 'regions'>,
): Promise<RegionTarget[]> {
  const endpoint = clients.discoveryEndpoint();
  await clients.beforeCall({ account: account.name, action: 'ListRegions', endpoint, regionId: null });
  const response = await clients.client(account, endpoint)
    .listRegionsWithOptions(new ListRegionsRequest({ acceptLanguage: 'en-US' }), singleAttemptRuntime());
  const regions = response.body?.regions;
  if (!Array.isArray(regions)) {
    throw new MalformedResponseError('(all)', 'ListRegions returned no Regions array');
  }
  const targets: RegionTarget[] = [];
  const seen = new Set<string>();
  for (const region of regions) {
    const regionId = region.regionId;
    if (typeof regionId !== 'string' || regionId === '') {
      throw new MalformedResponseError('(all)', 'ListRegions returned a region without RegionId');
    }
    if (seen.has(regionId)) continue;
    seen.add(regionId);
    if (config.regions !== null && !config.regions.includes(regionId)) continue;
    if (!accountAllowsRegion(account, regionId)) continue;
    targets.push({ regionId, endpoint: clients.regionEndpoint(regionId, region.regionEndpoint) });
  }
  return targets.sort((a, b) => (a.regionId < b.regionId ? -1 : a.regionId > b.regionId ? 1 : 0));
}
