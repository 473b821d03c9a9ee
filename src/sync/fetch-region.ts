/**
 * Fetches every page of one region's ListCustomImages. Dumb: pages until TotalCount items were
 * seen (or a short or empty page ends the listing) and throws on the first failure. No retries,
 * and never a partial result: a region that could not be listed must not look like an empty one.
 *
 * Once page 1 gives TotalCount, the remaining pages are known and fetched a few at a time; that
 * is what keeps a 100k-image region from taking 1000 round trips in a row.
 */
import type { CustomImagesPageRequest, RawCustomImagesPage } from '../cloud/list-custom-images.js';
import { MalformedResponseError, previewValue } from '../cloud/malformed-response.js';

/** One page with its envelope checked; items still raw. */
export interface FetchedPage {
  pageNumber: number;
  totalCount: number;
  items: unknown[];
}

export type PageFetcher = (request: CustomImagesPageRequest) => Promise<RawCustomImagesPage>;

/** Counts API calls, including failed ones, for region_syncs. Owned by the caller so it survives a throw. */
export interface ApiCallCounter {
  apiCalls: number;
}

export interface FetchRegionOptions {
  regionId: string;
  pageSize: number;
  /** Pages in flight at once after page 1. Default 4: fast, yet gentle on flow control. */
  concurrency?: number;
  counter?: ApiCallCounter;
  /** Awaited right before page 1's request is sent (after the rate limiter): the listing's start. */
  beforeFirstRequest?: () => Promise<void>;
}

export const DEFAULT_PAGE_CONCURRENCY = 4;

/** Every page, collected (tests and small tools; the sync streams with `fetchPages`). */
export async function fetchRegion(fetchPage: PageFetcher, options: FetchRegionOptions): Promise<FetchedPage[]> {
  const pages: FetchedPage[] = [];
  for await (const page of fetchPages(fetchPage, options)) pages.push(page);
  return pages;
}

type Settled = { ok: true; page: FetchedPage } | { ok: false; error: unknown };

/**
 * Yields the pages in order while keeping at most `concurrency` requests in flight, so memory
 * holds a few pages however large the region is. A failed page is thrown when its turn comes;
 * requests still in flight then settle on their own (each is already caught: no unhandled
 * rejection, no dangling work beyond those few calls).
 */
export async function* fetchPages(fetchPage: PageFetcher, options: FetchRegionOptions): AsyncGenerator<FetchedPage> {
  const { regionId, pageSize } = options;
  const counter = options.counter ?? { apiCalls: 0 };
  const get = async (pageNumber: number): Promise<FetchedPage> => {
    counter.apiCalls += 1;
    const admitted = pageNumber === 1 ? options.beforeFirstRequest : undefined;
    return parsePageEnvelope(await fetchPage({ regionId, pageNumber, pageSize, ...(admitted ? { admitted } : {}) }), regionId);
  };
  const settle = (pageNumber: number): Promise<Settled> =>
    get(pageNumber).then((page) => ({ ok: true as const, page }), (error: unknown) => ({ ok: false as const, error }));

  const first = await get(1);
  yield first;
  if (first.items.length === 0) return;

  const planned = Math.ceil(first.totalCount / pageSize);
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_PAGE_CONCURRENCY);
  const inFlight: Array<Promise<Settled>> = [];
  let nextNumber = 2;
  let last = first;
  let seen = first.items.length;
  let maxTotal = first.totalCount;
  while (nextNumber <= planned || inFlight.length > 0) {
    while (nextNumber <= planned && inFlight.length < concurrency) inFlight.push(settle(nextNumber++));
    const outcome = await (inFlight.shift() as Promise<Settled>);
    if (!outcome.ok) throw outcome.error;
    last = outcome.page;
    seen += last.items.length;
    maxTotal = Math.max(maxTotal, last.totalCount);
    yield last;
  }

  // TotalCount may have grown while we paged: keep going while the last page was full and items
  // are still missing. Bounded by the largest TotalCount seen, so a lying server cannot loop us.
  for (;;) {
    if (seen >= last.totalCount || last.items.length < pageSize || nextNumber > Math.ceil(maxTotal / pageSize) + 1) break;
    last = await get(nextNumber++);
    seen += last.items.length;
    maxTotal = Math.max(maxTotal, last.totalCount);
    yield last;
  }
}

/** Checks the envelope of one page. `CustomImages` absent or null counts as an empty page (check-listing compares with TotalCount). */
export function parsePageEnvelope(raw: RawCustomImagesPage, regionId: string): FetchedPage {
  const where = `page ${raw.request.pageNumber}`;
  if (!raw.bodyIsObject) throw new MalformedResponseError(regionId, `${where}: the response body is not a JSON object`);
  const totalCount = toCount(raw.totalCount);
  if (totalCount === null) {
    throw new MalformedResponseError(regionId, `${where}: TotalCount is missing or not a count (got ${previewValue(raw.totalCount)})`);
  }
  const items = raw.customImages ?? [];
  if (!Array.isArray(items)) {
    throw new MalformedResponseError(regionId, `${where}: CustomImages is not an array (got ${previewValue(items)})`);
  }
  return { pageNumber: raw.request.pageNumber, totalCount, items };
}

function toCount(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}
