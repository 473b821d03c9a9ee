/**
 * List one (account, region): fetch every page -> normalize each item -> check the listing.
 * An inconsistent listing (page drift) is re-listed up to SWAS_LISTING_ATTEMPTS times; if it never
 * settles the result is returned marked incomplete (not thrown): what was seen is still upserted,
 * but an incomplete listing yields no deletions. Failures (API errors, malformed data) throw.
 *
 * Pages stream: with a `sink`, each page's new items are handed over as they arrive (id and raw
 * item only: the sink normalizes what it needs) and nothing is accumulated, so memory stays flat
 * however large the region. Without one, images are collected and normalized into the result
 * (tests, small tools).
 */
import type { Account } from '../config/accounts.js';
import type { Config } from '../config/env.js';
import { listCustomImagesPage } from '../cloud/list-custom-images.js';
import type { RegionTarget } from '../cloud/list-regions.js';
import type { SwasClients } from '../cloud/swas-client.js';
import { ListingCheck } from './check-listing.js';
import { fetchPages, type ApiCallCounter, type PageFetcher } from './fetch-region.js';
import { listedItem, normalizeImage } from './normalize-image.js';
import type { ListedItem, ListingCompleteness, RegionListing } from './types.js';

/**
 * Where a streamed listing goes. `begin` starts each attempt: a re-list must discard the last one.
 * Items arrive unique and not yet normalized (see ListedItem).
 */
export interface ListingSink {
  begin(attempt: number): Promise<void>;
  page(items: ListedItem[]): Promise<void>;
  /** Called right before each attempt's first request is sent: when the listing observes from. */
  started?(): Promise<void>;
}

export interface ListRegionOptions {
  /** Pages in flight at once after page 1 (default 4). */
  concurrency?: number;
  /** Incremented per API call, failed ones included; read it after a throw for region_syncs. */
  counter?: ApiCallCounter;
  sink?: ListingSink;
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

/** The same, over any page source (the seam the unit tests use). */
export async function listRegionWith(
  fetchPage: PageFetcher,
  accountName: string,
  regionId: string,
  config: Pick<Config, 'pageSize' | 'listingAttempts'>,
  options: ListRegionOptions = {},
): Promise<RegionListing> {
  if (config.listingAttempts < 1) throw new Error(`listRegion: listingAttempts must be at least 1 (got ${config.listingAttempts})`);
  const counter = options.counter ?? { apiCalls: 0 };
  const callsBefore = counter.apiCalls;
  let collected: ListedItem[] = [];
  const sink: ListingSink = options.sink ?? {
    begin: async () => { collected = []; },
    page: async (items) => { collected.push(...items); },
  };

  let check = new ListingCheck(config.pageSize);
  let completeness: ListingCompleteness = { complete: false, reason: 'not listed' };
  let pageCount = 0;
  let attempt = 0;
  while (attempt < config.listingAttempts) {
    attempt += 1;
    await sink.begin(attempt);
    check = new ListingCheck(config.pageSize);
    pageCount = 0;
    for await (const page of fetchPages(fetchPage, {
      regionId, pageSize: config.pageSize, counter,
      ...(sink.started ? { beforeFirstRequest: () => (sink.started as () => Promise<void>).call(sink) } : {}),
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    })) {
      pageCount += 1;
      const images = page.items.map((item) => listedItem(item, regionId));
      await sink.page(check.add({ pageNumber: page.pageNumber, totalCount: page.totalCount, images }));
    }
    completeness = check.finish();
    if (completeness.complete) break;
  }
  if (!completeness.complete) {
    completeness = { complete: false, reason: `${completeness.reason} (still inconsistent after ${attempt} listing${attempt === 1 ? '' : 's'}; no deletions will be recorded)` };
  }
  return {
    accountName,
    regionId,
    images: collected.map((item) => item.observed ?? normalizeImage(item.raw, regionId)),
    imageIds: check.seen,
    completeness,
    pages: pageCount,
    apiCalls: counter.apiCalls - callsBefore,
  };
}
