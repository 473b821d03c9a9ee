import { ApiError, invalidParameter, missingParameter } from './api-error.js';

/** A validated ListCustomImages request. */
export interface ListCustomImagesQuery {
  regionId: string;
  pageNumber: number;
  pageSize: number;
  imageIds?: string[];
  imageNames?: string[];
  tags: Array<{ key: string; value?: string }>;
  resourceGroupId?: string;
  share?: boolean;
  instanceId?: string;
  systemSnapshotId?: string;
  dataSnapshotId?: string;
  clientToken?: string;
}

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 10;
export const MAX_LIST_ITEMS = 100;
export const MAX_TAGS = 20;

function positiveInt(params: ReadonlyMap<string, string>, name: string, fallback: number, max: number): number {
  const raw = params.get(name);
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw invalidParameter(name, `"${raw}" is not an integer.`);
  const value = Number(raw);
  if (value < 1 || value > max) throw invalidParameter(name, `${value} is outside 1..${max}.`);
  return value;
}

/**
 * ImageIds / ImageNames: a JSON array of strings (what the SDK and the API page use). The page
 * also says "separate with commas", so a value that does not start with `[` is read as a
 * comma-separated list (UNVERIFIED); a value that starts with `[` must be valid JSON.
 */
function stringList(params: ReadonlyMap<string, string>, name: string): string[] | undefined {
  const raw = params.get(name);
  if (raw === undefined || raw.trim() === '') return undefined;
  let items: unknown;
  if (raw.trim().startsWith('[')) {
    try {
      items = JSON.parse(raw);
    } catch {
      throw invalidParameter(name, 'the value is not a valid JSON array.');
    }
  } else {
    items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  }
  if (!Array.isArray(items) || !items.every((item): item is string => typeof item === 'string')) {
    throw invalidParameter(name, 'the value must be a JSON array of strings.');
  }
  if (items.length > MAX_LIST_ITEMS) throw invalidParameter(name, `at most ${MAX_LIST_ITEMS} values are allowed, got ${items.length}.`);
  return items;
}

function tags(params: ReadonlyMap<string, string>): Array<{ key: string; value?: string }> {
  const byIndex = new Map<number, { key?: string; value?: string }>();
  for (const [name, value] of params) {
    const match = /^Tag\.(\d+)\.(Key|Value)$/.exec(name);
    if (!match) continue;
    const n = Number(match[1]);
    if (n < 1 || n > MAX_TAGS) throw invalidParameter('Tag', `at most ${MAX_TAGS} tags are allowed (Tag.1 .. Tag.${MAX_TAGS}), got Tag.${n}.`);
    const entry = byIndex.get(n) ?? {};
    if (match[2] === 'Key') entry.key = value;
    else entry.value = value;
    byIndex.set(n, entry);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([n, { key, value }]) => {
    if (key === undefined || key.length < 1 || key.length > 64) throw invalidParameter('Tag', `Tag.${n}.Key must be 1..64 characters.`);
    if (value !== undefined && value.length > 64) throw invalidParameter('Tag', `Tag.${n}.Value must be at most 64 characters.`);
    return value === undefined ? { key } : { key, value };
  });
}

function booleanParam(params: ReadonlyMap<string, string>, name: string): boolean | undefined {
  const raw = params.get(name);
  if (raw === undefined || raw === '') return undefined;
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw invalidParameter(name, `"${raw}" is not a boolean.`);
}

function optionalString(params: ReadonlyMap<string, string>, name: string): string | undefined {
  const raw = params.get(name);
  return raw === undefined || raw === '' ? undefined : raw;
}

export function parseListCustomImagesQuery(params: ReadonlyMap<string, string>): ListCustomImagesQuery {
  const regionId = params.get('RegionId');
  if (regionId === undefined || regionId === '') throw missingParameter('RegionId');
  const clientToken = optionalString(params, 'ClientToken');
  // eslint-disable-next-line no-control-regex
  if (clientToken !== undefined && (clientToken.length > 64 || !/^[\x00-\x7f]*$/.test(clientToken))) {
    throw invalidParameter('ClientToken', 'at most 64 ASCII characters.');
  }
  const query: ListCustomImagesQuery = {
    regionId,
    pageNumber: positiveInt(params, 'PageNumber', 1, Number.MAX_SAFE_INTEGER),
    pageSize: positiveInt(params, 'PageSize', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    tags: tags(params),
  };
  const optional = {
    imageIds: stringList(params, 'ImageIds'),
    imageNames: stringList(params, 'ImageNames'),
    resourceGroupId: optionalString(params, 'ResourceGroupId'),
    share: booleanParam(params, 'Share'),
    instanceId: optionalString(params, 'InstanceId'),
    systemSnapshotId: optionalString(params, 'SystemSnapshotId'),
    dataSnapshotId: optionalString(params, 'DataSnapshotId'),
    clientToken,
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) Object.assign(query, { [key]: value });
  }
  return query;
}

export const invalidRegion = (regionId: string): ApiError =>
  new ApiError('InvalidRegionId', 400, `The specified RegionId "${regionId}" does not exist.`);
