/**
 * Fetches every page of one region's ListCustomImages. Dumb: pages until TotalCount items were
 * seen (or a short or empty page ends the listing) and throws on the first failure. No retries,
 * and never a partial result: a region that could not be listed must not look like an empty one.
 *
 * Once page 1 gives TotalCount, the remaining pages are known and fetched a few at a time; that
 * is what keeps a 100k-image region from taking 1000 round trips in a row.
 */
import type { CustomImagesPageRequest, RawCustomImagesPage } from '../cloud/list-custom-images.js';
import { MalformedResponseError, previewValue } from './errors.js';

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
}

export const DEFAULT_PAGE_CONCURRENCY = 4;

export async function fetchRegion(fetchPage: PageFetcher, options: FetchRegionOptions): Promise<FetchedPage[]> {
  const { regionId, pageSize } = options;
  const counter = options.counter ?? { apiCalls: 0 };
  const get = async (pageNumber: number): Promise<FetchedPage> => {
    counter.apiCalls += 1;
    return parsePageEnvelope(await fetchPage({ regionId, pageNumber, pageSize }), regionId);
  };

  const first = await get(1);
  const pages = [first];
  if (first.items.length === 0) return pages;

  const planned = Math.ceil(first.totalCount / pageSize);
  const rest = await mapWithConcurrency(range(2, planned), options.concurrency ?? DEFAULT_PAGE_CONCURRENCY, get);
  pages.push(...rest);

  // TotalCount may have grown while we paged: keep going while the last page was full and items
  // are still missing. Bounded by the largest TotalCount seen, so a lying server cannot loop us.
  let seen = pages.reduce((n, p) => n + p.items.length, 0);
  for (;;) {
    const last = pages[pages.length - 1] as FetchedPage;
    const maxTotal = Math.max(...pages.map((p) => p.totalCount));
    const nextNumber = pages.length + 1;
    if (seen >= last.totalCount || last.items.length < pageSize || nextNumber > Math.ceil(maxTotal / pageSize) + 1) break;
    const next = await get(nextNumber);
    pages.push(next);
    seen += next.items.length;
  }
  return pages;
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

function range(from: number, to: number): number[] {
  return to < from ? [] : Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/**
 * Runs `fn` over `inputs`, at most `limit` at once, results in input order. After the first
 * failure nothing new starts; the in-flight calls are awaited (no dangling promises), then the
 * first error is thrown.
 */
export async function mapWithConcurrency<I, O>(inputs: readonly I[], limit: number, fn: (input: I) => Promise<O>): Promise<O[]> {
  const results = new Array<O>(inputs.length);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async (): Promise<void> => {
    while (failure === null && next < inputs.length) {
      const index = next++;
      try {
        results[index] = await fn(inputs[index] as I);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, inputs.length)) }, worker));
  if (failure !== null) throw (failure as { error: unknown }).error;
  return results;
}
