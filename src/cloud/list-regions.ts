/**
 * Region discovery: one ListRegions call per account, filtered by SWAS_REGIONS and the account's
 * allow/deny lists. Throws on any failure; an empty answer is returned as such (it means no
 * region to list, which can never produce a deletion).
 */
import { ListRegionsRequest } from '@alicloud/swas-open20200601';
import type { Account } from '../config/accounts.js';
import type { Config } from '../config/env.js';
import { MalformedResponseError } from './malformed-response.js';
import { selectRegions } from '../config/select-regions.js';
import { singleAttemptRuntime, type Endpoint, type SwasClients } from './swas-client.js';

export interface RegionTarget {
  regionId: string;
  /** Where this region's calls go (SWAS_ENDPOINT if set, else its RegionEndpoint). */
  endpoint: Endpoint;
}

/** The regions `account` should sync (SWAS_REGIONS and its allow/deny lists applied), sorted by id. */
export async function listRegions(
  clients: SwasClients,
  account: Account,
  config: Pick<Config, 'regions'>,
): Promise<RegionTarget[]> {
  return selectRegions(await listAvailableRegions(clients, account), account, { configured: config.regions }).targets;
}

/**
 * Every region ListRegions returns for `account`, sorted by id, unfiltered (the caller filters, and
 * reports the regions asked for that are not among them). The typed SDK method is fine here: every
 * field we read is a plain string and nothing of it is stored.
 */
export async function listAvailableRegions(clients: SwasClients, account: Account): Promise<RegionTarget[]> {
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
    targets.push({ regionId, endpoint: clients.regionEndpoint(regionId, region.regionEndpoint) });
  }
  return targets.sort((a, b) => (a.regionId < b.regionId ? -1 : a.regionId > b.regionId ? 1 : 0));
}
