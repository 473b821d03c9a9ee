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

export function checkListing<T extends { imageId: string }>(pages: readonly CheckedPage<T>[], pageSize: number): CheckedListing<T> {
  const sorted = [...pages].sort((a, b) => a.pageNumber - b.pageNumber);
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
    if (page.images.length > pageSize) {
      reasons.push(`page ${page.pageNumber} returned ${page.images.length} images, more than PageSize ${pageSize}`);
    } else if (i < sorted.length - 1 && page.images.length < pageSize) {
      reasons.push(`page ${page.pageNumber} returned only ${page.images.length} of ${pageSize} images but was not the last page`);
    }
  });

  const byId = new Map<string, T>();
  const duplicates: string[] = [];
  for (const page of sorted) {
    for (const image of page.images) {
      if (byId.has(image.imageId)) duplicates.push(image.imageId);
      else byId.set(image.imageId, image);
    }
  }
  if (duplicates.length > 0) {
    const shown = [...new Set(duplicates)];
    reasons.push(`${duplicates.length} image(s) listed more than once (${shown.slice(0, MAX_IDS_IN_REASON).join(', ')}${shown.length > MAX_IDS_IN_REASON ? ', ...' : ''})`);
  }

  const last = sorted[sorted.length - 1];
  if (last !== undefined && totals.length === 1) {
    const expected = last.totalCount;
    if (byId.size < expected) reasons.push(`saw ${byId.size} unique images of TotalCount ${expected}`);
    if (byId.size > expected) reasons.push(`saw ${byId.size} unique images but TotalCount is ${expected}`);
  }

  return {
    images: [...byId.values()],
    completeness: reasons.length === 0 ? { complete: true } : { complete: false, reason: reasons.join('; ') },
  };
}
