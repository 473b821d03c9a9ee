/**
 * List one (account, region): fetch every page -> normalize each item -> check the listing.
 * An inconsistent listing (page drift) is re-listed up to SWAS_LISTING_ATTEMPTS times; if it never
 * settles the result is returned marked incomplete (not thrown): what was seen is still upserted,
 * but an incomplete listing yields no deletions. Failures (API errors, malformed data) throw.
 */
import type { Account } from '../config/accounts.js';
import type { Config } from '../config/env.js';
import { listCustomImagesPage } from '../cloud/list-custom-images.js';
import type { RegionTarget } from '../cloud/list-regions.js';
import type { SwasClients } from '../cloud/swas-client.js';
import { checkListing, type CheckedListing } from './check-listing.js';
import { fetchRegion, type ApiCallCounter, type PageFetcher } from './fetch-region.js';
import { normalizeImage } from './normalize-image.js';
import type { ObservedImage, RegionListing } from './types.js';

export interface ListRegionOptions {
  /** Pages in flight at once after page 1 (default 4). */
  concurrency?: number;
  /** Incremented per API call, failed ones included; read it after a throw for region_syncs. */
  counter?: ApiCallCounter;
}

export async function listRegion(
  clients: SwasClients,
  account: Account,
  region: RegionTarget,
  config: Pick<Config, 'pageSize' | 'listingAttempts'>,
  options: ListRegionOptions = {},
): Promise<RegionListing> {
  const fetchPage: PageFetcher = (request) => listCustomImagesPage(clients, account, region.endpoint, request);
  return listRegionWith(fetchPage, account.name, region.regionId, config, options);
}

/** The same, over any page source (the seam the unit tests and a future cache use). */
export async function listRegionWith(
  fetchPage: PageFetcher,
  accountName: string,
  regionId: string,
  config: Pick<Config, 'pageSize' | 'listingAttempts'>,
  options: ListRegionOptions = {},
): Promise<RegionListing> {
  const counter = options.counter ?? { apiCalls: 0 };
  const callsBefore = counter.apiCalls;
  let checked: CheckedListing<ObservedImage> | null = null;
  let pageCount = 0;
  let attempt = 0;
  while (attempt < config.listingAttempts) {
    attempt += 1;
    const pages = await fetchRegion(fetchPage, {
      regionId, pageSize: config.pageSize, counter,
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    });
    const normalized = pages.map((p) => ({
      pageNumber: p.pageNumber,
      totalCount: p.totalCount,
      images: p.items.map((item) => normalizeImage(item, regionId)),
    }));
    checked = checkListing(normalized, config.pageSize);
    pageCount = pages.length;
    if (checked.completeness.complete) break;
  }
  if (checked === null) throw new Error(`listRegion: listingAttempts must be at least 1 (got ${config.listingAttempts})`);
  const completeness = checked.completeness.complete
    ? checked.completeness
    : { complete: false as const, reason: `${checked.completeness.reason} (still inconsistent after ${attempt} listing${attempt === 1 ? '' : 's'}; no deletions will be recorded)` };
  return {
    accountName,
    regionId,
    images: checked.images,
    completeness,
    pages: pageCount,
    apiCalls: counter.apiCalls - callsBefore,
  };
}
