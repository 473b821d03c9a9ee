import { describe, expect, it } from 'vitest';
import { checkListing, type CheckedPage } from '../../src/sync/check-listing.js';

type Img = { imageId: string };
const ids = (from: number, to: number): Img[] => Array.from({ length: to - from + 1 }, (_, i) => ({ imageId: `m-${from + i}` }));
const page = (pageNumber: number, totalCount: number, images: Img[]): CheckedPage<Img> => ({ pageNumber, totalCount, images });

function reason(pages: CheckedPage<Img>[], pageSize = 100): string {
  const { completeness } = checkListing(pages, pageSize);
  if (completeness.complete) throw new Error('expected an incomplete listing');
  return completeness.reason;
}

describe('checkListing', () => {
  it('accepts 250 images over 3 consistent pages', () => {
    const result = checkListing([page(1, 250, ids(1, 100)), page(2, 250, ids(101, 200)), page(3, 250, ids(201, 250))], 100);
    expect(result.completeness).toEqual({ complete: true });
    expect(result.images).toHaveLength(250);
    expect(result.images[0]).toEqual({ imageId: 'm-1' });
    expect(result.images[249]).toEqual({ imageId: 'm-250' });
  });

  it('accepts an empty region (TotalCount 0, one empty page)', () => {
    expect(checkListing([page(1, 0, [])], 100)).toEqual({ images: [], completeness: { complete: true } });
  });

  it('accepts pages given out of order', () => {
    expect(checkListing([page(2, 150, ids(101, 150)), page(1, 150, ids(1, 100))], 100).completeness.complete).toBe(true);
  });

  it('flags TotalCount changing between pages', () => {
    expect(reason([page(1, 250, ids(1, 100)), page(2, 251, ids(101, 200)), page(3, 251, ids(201, 251))]))
      .toMatch(/TotalCount changed between pages \(page 1: 250, page 2: 251, page 3: 251\)/);
  });

  it('flags fewer unique images than TotalCount (an image slid to an earlier page)', () => {
    expect(reason([page(1, 150, ids(1, 100)), page(2, 150, ids(102, 150))])).toMatch(/saw 149 unique images of TotalCount 150/);
  });

  it('flags an empty page where TotalCount promised images', () => {
    expect(reason([page(1, 5, [])])).toMatch(/saw 0 unique images of TotalCount 5/);
  });

  it('flags duplicates across pages and keeps the first occurrence', () => {
    const result = checkListing([page(1, 150, ids(1, 100)), page(2, 150, [...ids(100, 148), { imageId: 'm-1' }])], 100);
    expect(result.completeness).toMatchObject({ complete: false });
    expect(!result.completeness.complete && result.completeness.reason).toMatch(/2 image\(s\) listed more than once \(m-100, m-1\)/);
    expect(result.images.map((i) => i.imageId)).toEqual(ids(1, 148).map((i) => i.imageId));
  });

  it('flags a short page before the last', () => {
    expect(reason([page(1, 150, ids(1, 99)), page(2, 150, ids(100, 150))])).toMatch(/page 1 returned only 99 of 100 images but was not the last page/);
  });

  it('flags a page larger than PageSize', () => {
    expect(reason([page(1, 101, ids(1, 101))])).toMatch(/more than PageSize 100/);
  });

  it('flags more unique images than TotalCount', () => {
    expect(reason([page(1, 2, ids(1, 3))])).toMatch(/saw 3 unique images but TotalCount is 2/);
  });

  it('flags a missing page number', () => {
    expect(reason([page(1, 300, ids(1, 100)), page(3, 300, ids(201, 300))])).toMatch(/page 2 is missing/);
  });

  it('flags no pages at all', () => {
    expect(reason([])).toMatch(/no page was fetched/);
  });

  it('honours the configured page size', () => {
    expect(checkListing([page(1, 12, ids(1, 10)), page(2, 12, ids(11, 12))], 10).completeness.complete).toBe(true);
    expect(reason([page(1, 12, ids(1, 9)), page(2, 12, ids(10, 12))], 10)).toMatch(/only 9 of 10/);
  });
});
