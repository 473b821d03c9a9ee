/**
 * Paging logic over a scripted page source (plain data, not an SDK double: the SDK path is
 * covered through the emulator in test/integration/list-region.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { CustomImagesPageRequest, RawCustomImagesPage } from '../../src/cloud/list-custom-images.js';
import { MalformedResponseError } from '../../src/cloud/malformed-response.js';
import { fetchRegion, parsePageEnvelope, type PageFetcher } from '../../src/sync/fetch-region.js';
import { listRegionWith } from '../../src/sync/list-region.js';

const REGION = 'cn-hangzhou';
const item = (n: number) => ({ ImageId: `m-${n}`, RegionId: REGION, Name: `image ${n}`, Status: '1' });

function rawPage(request: CustomImagesPageRequest, totalCount: unknown, customImages: unknown): RawCustomImagesPage {
  return { request, customImages, totalCount, pageNumber: String(request.pageNumber), pageSize: String(request.pageSize), requestId: 'r', bodyIsObject: true };
}

/** A region of `total` images; `mutate(pageNumber, callIndex)` may change the data between calls. */
function region(total: () => number, opts: { delayMs?: number; failOn?: number } = {}) {
  const requests: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const fetchPage: PageFetcher = async (request) => {
    requests.push(request.pageNumber);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, opts.delayMs ?? 1));
    inFlight -= 1;
    if (request.pageNumber === opts.failOn) throw Object.assign(new Error('code: 500, boom'), { code: 'InternalError', statusCode: 500 });
    const t = total();
    const start = (request.pageNumber - 1) * request.pageSize;
    const items = Array.from({ length: Math.max(0, Math.min(request.pageSize, t - start)) }, (_, i) => item(start + i + 1));
    return rawPage(request, String(t), items);
  };
  return { fetchPage, requests, maxInFlight: () => maxInFlight };
}

describe('fetchRegion', () => {
  it('fetches ceil(TotalCount / PageSize) pages, the rest concurrently but bounded', async () => {
    const r = region(() => 1_050);
    const counter = { apiCalls: 0 };
    const pages = await fetchRegion(r.fetchPage, { regionId: REGION, pageSize: 100, concurrency: 4, counter });
    expect(pages.map((p) => p.pageNumber)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    expect(pages.flatMap((p) => p.items)).toHaveLength(1_050);
    expect(counter.apiCalls).toBe(11);
    expect(r.maxInFlight()).toBe(4);
    expect(r.requests[0]).toBe(1);
  });

  it('makes one call for an empty region', async () => {
    const r = region(() => 0);
    const pages = await fetchRegion(r.fetchPage, { regionId: REGION, pageSize: 100 });
    expect(pages).toEqual([{ pageNumber: 1, totalCount: 0, items: [] }]);
    expect(r.requests).toEqual([1]);
  });

  it('keeps paging when TotalCount grows mid-listing', async () => {
    let calls = 0;
    const r = region(() => (++calls === 1 ? 200 : 201));
    const pages = await fetchRegion(r.fetchPage, { regionId: REGION, pageSize: 100, concurrency: 1 });
    expect(pages.map((p) => [p.pageNumber, p.totalCount, p.items.length])).toEqual([[1, 200, 100], [2, 201, 100], [3, 201, 1]]);
  });

  it('throws on a failed page: no partial result', async () => {
    const r = region(() => 250, { failOn: 2 });
    const counter = { apiCalls: 0 };
    await expect(fetchRegion(r.fetchPage, { regionId: REGION, pageSize: 100, counter })).rejects.toMatchObject({ code: 'InternalError' });
    expect(counter.apiCalls).toBeGreaterThanOrEqual(2);
  });
});

describe('parsePageEnvelope', () => {
  const req = { regionId: REGION, pageNumber: 1, pageSize: 100 };

  it('accepts TotalCount as a number or a string, and a missing CustomImages as an empty page', () => {
    expect(parsePageEnvelope(rawPage(req, 3, [item(1)]), REGION).totalCount).toBe(3);
    expect(parsePageEnvelope(rawPage(req, '0', undefined), REGION)).toEqual({ pageNumber: 1, totalCount: 0, items: [] });
  });

  it.each([
    ['TotalCount missing', rawPage(req, undefined, []), /TotalCount is missing/],
    ['TotalCount not a count', rawPage(req, 'many', []), /TotalCount/],
    ['TotalCount negative', rawPage(req, -1, []), /TotalCount/],
    ['CustomImages an object', rawPage(req, 1, { CustomImage: [item(1)] }), /CustomImages is not an array/],
    ['a body that is not an object', { ...rawPage(req, 1, []), bodyIsObject: false }, /not a JSON object/],
  ])('throws MalformedResponseError for %s', (_label, raw, pattern) => {
    expect(() => parsePageEnvelope(raw, REGION)).toThrow(MalformedResponseError);
    expect(() => parsePageEnvelope(raw, REGION)).toThrow(pattern);
  });
});

describe('listRegionWith', () => {
  const config = { pageSize: 100, listingAttempts: 3 };

  it('returns normalized, complete listings', async () => {
    const listing = await listRegionWith(region(() => 250).fetchPage, 'default', REGION, config);
    expect(listing).toMatchObject({ accountName: 'default', regionId: REGION, completeness: { complete: true }, pages: 3, apiCalls: 3 });
    expect(listing.images).toHaveLength(250);
    expect(listing.images[0]).toMatchObject({ imageId: 'm-1', fields: { name: 'image 1', status: 1 } });
  });

  it('re-lists a drifting region at most listingAttempts times, then returns it incomplete', async () => {
    let calls = 0;
    const r = region(() => 150 + calls++);
    const listing = await listRegionWith(r.fetchPage, 'default', REGION, { ...config, listingAttempts: 2 }, { concurrency: 1 });
    expect(listing.completeness).toMatchObject({ complete: false });
    expect(!listing.completeness.complete && listing.completeness.reason).toMatch(/TotalCount changed[\s\S]*after 2 listings/);
    expect(r.requests).toEqual([1, 2, 1, 2]);
    expect(listing.apiCalls).toBe(4);
  });

  it('stops re-listing as soon as a listing is consistent', async () => {
    let calls = 0;
    const r = region(() => (++calls <= 2 ? 150 + calls : 160), { delayMs: 1 });
    const listing = await listRegionWith(r.fetchPage, 'default', REGION, config, { concurrency: 1 });
    expect(listing.completeness).toEqual({ complete: true });
    expect(listing.images).toHaveLength(160);
    expect(listing.apiCalls).toBe(4);
  });

  it('tells the sink when each attempt starts, right before its page 1 request is sent (after the rate limiter)', async () => {
    const order: string[] = [];
    let calls = 0;
    const r = region(() => 150 + calls++);
    const fetchPage: PageFetcher = async (request) => {
      order.push(`admit ${request.pageNumber}`);
      await request.admitted?.();
      order.push(`send ${request.pageNumber}`);
      return r.fetchPage(request);
    };
    await listRegionWith(fetchPage, 'default', REGION, { ...config, listingAttempts: 2 }, {
      concurrency: 1,
      sink: { begin: async () => { order.push('begin'); }, page: async () => {}, started: async () => { order.push('started'); } },
    });
    expect(order).toEqual(['begin', 'admit 1', 'started', 'send 1', 'admit 2', 'send 2', 'begin', 'admit 1', 'started', 'send 1', 'admit 2', 'send 2']);
  });

  it('fails the region on one malformed item, even on a later page', async () => {
    const fetchPage: PageFetcher = async (request) => rawPage(request, 150,
      request.pageNumber === 1 ? Array.from({ length: 100 }, (_, i) => item(i + 1)) : [{ ImageId: 'm-bad', Name: ['x'] }, ...Array.from({ length: 49 }, (_, i) => item(i + 101))]);
    await expect(listRegionWith(fetchPage, 'default', REGION, config)).rejects.toThrow(MalformedResponseError);
  });
});
