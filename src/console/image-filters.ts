/**
 * The `/images` URL as a query: `account`, `region`, `status` (label or code, comma lists),
 * `os`, `tag` (`key` or `key=value`), `q`, `deleted=1`, `as_of` (every form `--as-of` takes),
 * `sort`/`dir` and `page`. Repeated keys add values. Pure; bad values throw FilterError or
 * TimeParseError with the CLI's own messages.
 */
import { FilterError, parsePositiveInt, parseStatuses, parseTag } from '../reports/parse-filters.js';
import { parseTime } from '../reports/parse-time.js';
import { IMAGES_SORT_KEYS, type ImagesQueryOptions, type ImagesSortKey } from '../reports/sql/images-query.js';
import type { ImageTag } from '../domain/vocabulary.js';

export const PAGE_SIZE = 50;

export interface ImageFilters {
  query: ImagesQueryOptions;
  page: number;
  /** The filters as the URL carries them (for the form, links and downloads), in a stable order. */
  params: Array<[string, string]>;
}

/** Non-empty values of a repeated key. */
export function values(params: URLSearchParams, key: string): string[] {
  return params.getAll(key).map((v) => v.trim()).filter((v) => v !== '');
}

export function parseImageFilters(params: URLSearchParams, now: Date): ImageFilters {
  const tags: ImageTag[] = [];
  const tagKeys: string[] = [];
  for (const t of values(params, 'tag')) {
    if (t.includes('=')) tags.push(parseTag(t));
    else tagKeys.push(t);
  }
  const asOfText = values(params, 'as_of')[0];
  const asOf = asOfText === undefined ? undefined : parseTime(asOfText, now);
  if (asOf && asOf.getTime() > now.getTime()) {
    throw new FilterError(`as_of ${asOf.toISOString()} is in the future (now is ${now.toISOString()}): the inventory is only known up to now`);
  }
  const statuses = values(params, 'status').flatMap(parseStatuses);
  const sortText = values(params, 'sort')[0];
  if (sortText !== undefined && !(sortText in IMAGES_SORT_KEYS)) {
    throw new FilterError(`unknown sort '${sortText}': expected one of ${Object.keys(IMAGES_SORT_KEYS).join(', ')}`);
  }
  const descending = values(params, 'dir')[0] === 'desc';
  const pageText = values(params, 'page')[0];
  const page = pageText === undefined ? 1 : parsePositiveInt(pageText, 'page');
  const deleted = ['1', 'true', 'yes', 'on'].includes(values(params, 'deleted')[0] ?? '');
  const search = values(params, 'q')[0];
  const query: ImagesQueryOptions = {
    accounts: values(params, 'account'),
    regions: values(params, 'region'),
    statuses,
    osTypes: values(params, 'os'),
    tags,
    tagKeys,
    search,
    includeDeleted: deleted,
    asOf,
    sort: sortText ? { by: sortText as ImagesSortKey, descending } : undefined,
  };
  const kept: Array<[string, string]> = [];
  for (const key of ['account', 'region', 'status', 'os', 'tag']) for (const v of values(params, key)) kept.push([key, v]);
  if (search !== undefined) kept.push(['q', search]);
  if (deleted) kept.push(['deleted', '1']);
  if (asOfText !== undefined) kept.push(['as_of', asOfText]);
  if (sortText) kept.push(['sort', sortText], ...(descending ? [['dir', 'desc'] as [string, string]] : []));
  return { query, page, params: kept };
}
