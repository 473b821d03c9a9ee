/**
 * Is a paged listing a trustworthy snapshot? Pure. Offset paging over a changing collection can
 * skip or repeat items (an image created or deleted mid-listing shifts every later page), so a
 * listing only counts as complete when its pages agree with each other and with TotalCount.
 * Only a complete listing may later yield deletions.
 */
import type { ListingCompleteness } from './types.js';

export interface CheckedPage<T> {
  pageNumber: number;
  totalCount: number;
  images: T[];
}

export interface CheckedListing<T> {
  /** Unique by imageId, first occurrence kept, in listing order. */
  images: T[];
  completeness: ListingCompleteness;
}

const MAX_IDS_IN_REASON = 3;

/**
 * The same check, fed one page at a time so a listing never has to be held in memory: `add`
 * returns the page's images not seen before (duplicates are dropped, first occurrence wins);
 * `finish` says whether the listing as a whole can be trusted. Only ids and page sizes are kept.
 */
export class ListingCheck {
  private readonly pages: Array<{ pageNumber: number; totalCount: number; size: number }> = [];
  private readonly ids = new Set<string>();
  private readonly duplicates: string[] = [];

  constructor(private readonly pageSize: number) {}

  /** Ids of every unique image seen so far (for deletions after a complete listing). */
  get seen(): ReadonlySet<string> {
    return this.ids;
  }

  add<T extends { imageId: string }>(page: CheckedPage<T>): T[] {
    this.pages.push({ pageNumber: page.pageNumber, totalCount: page.totalCount, size: page.images.length });
    const fresh: T[] = [];
    for (const image of page.images) {
      if (this.ids.has(image.imageId)) this.duplicates.push(image.imageId);
      else {
        this.ids.add(image.imageId);
        fresh.push(image);
      }
    }
    return fresh;
  }

  finish(): ListingCompleteness {
    const sorted = [...this.pages].sort((a, b) => a.pageNumber - b.pageNumber);
    const pageSize = this.pageSize;
    const reasons: string[] = [];
    if (sorted.length === 0) reasons.push('no page was fetched');

    sorted.forEach((page, i) => {
      if (page.pageNumber !== i + 1) reasons.push(`page ${i + 1} is missing`);
    });

    const totals = [...new Set(sorted.map((p) => p.totalCount))];
    if (totals.length > 1) {
      reasons.push(`TotalCount changed between pages (${sorted.map((p) => `page ${p.pageNumber}: ${p.totalCount}`).join(', ')})`);
    }

    sorted.forEach((page, i) => {
      if (page.size > pageSize) {
        reasons.push(`page ${page.pageNumber} returned ${page.size} images, more than PageSize ${pageSize}`);
      } else if (i < sorted.length - 1 && page.size < pageSize) {
        reasons.push(`page ${page.pageNumber} returned only ${page.size} of ${pageSize} images but was not the last page`);
      }
    });

    if (this.duplicates.length > 0) {
      const shown = [...new Set(this.duplicates)];
      reasons.push(`${this.duplicates.length} image(s) listed more than once (${shown.slice(0, MAX_IDS_IN_REASON).join(', ')}${shown.length > MAX_IDS_IN_REASON ? ', ...' : ''})`);
    }

    const last = sorted[sorted.length - 1];
    if (last !== undefined && totals.length === 1) {
      const expected = last.totalCount;
      if (this.ids.size < expected) reasons.push(`saw ${this.ids.size} unique images of TotalCount ${expected}`);
      if (this.ids.size > expected) reasons.push(`saw ${this.ids.size} unique images but TotalCount is ${expected}`);
    }
    return reasons.length === 0 ? { complete: true } : { complete: false, reason: reasons.join('; ') };
  }
}

/** The whole check over pages already in memory (any order). */
export function checkListing<T extends { imageId: string }>(pages: readonly CheckedPage<T>[], pageSize: number): CheckedListing<T> {
  const check = new ListingCheck(pageSize);
  const images = [...pages].sort((a, b) => a.pageNumber - b.pageNumber).flatMap((page) => check.add(page));
  return { images, completeness: check.finish() };
}
