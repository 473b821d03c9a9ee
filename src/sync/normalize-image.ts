/**
 * One ListCustomImages item off the wire -> ObservedImage. Pure.
 *
 * The schema is the boundary: a missing ImageId or any value of the wrong kind throws
 * MalformedResponseError, which fails the whole region (better no data than half-filled rows).
 * Optional fields may be absent or null (-> null). Where the API is known to vary, numbers may
 * come as strings and strings as numbers (Status, disk sizes, UserId; booleans as "true"/"false").
 * Text is cleaned of what Postgres refuses: NUL is removed, lone UTF-16 surrogates become U+FFFD
 * (as String.prototype.toWellFormed does); `raw` is cleaned the same way, keys included.
 */
import { z } from 'zod';
import type { ImageFields, ListedItem, ObservedImage } from './types.js';
import type { ImageTag } from '../domain/vocabulary.js';
import { MalformedResponseError, previewValue } from '../cloud/malformed-response.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text Postgres accepts in `text` and `jsonb`: no NUL, no lone surrogates. */
export function cleanText(value: string): string {
  return needsCleaning(value) ? value.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\uFFFD') : value;
}

/** A char-code scan is far cheaper than two regex replaces, and almost every string is already clean. */
function needsCleaning(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const c = value.charCodeAt(i);
    if (c === 0 || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}

/**
 * A JSON value with every string and key cleaned. Returns the value itself when nothing needed
 * cleaning (the common case: no copy of 100k items); `__proto__` keys stay plain data.
 */
export function cleanJson(value: unknown): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i += 1) {
      const v: unknown = value[i];
      const c = cleanJson(v);
      if (out === null && c !== v) out = value.slice(0, i);
      if (out !== null) out.push(c);
    }
    return out ?? value;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    let changed = false;
    const cleaned = entries.map(([k, v]): [string, unknown] => {
      const ck = cleanText(k);
      const cv = cleanJson(v);
      if (ck !== k || cv !== v) changed = true;
      return [ck, cv];
    });
    if (!changed) return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of cleaned) {
      // Assigning `__proto__` would replace the prototype instead of storing the data.
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
    }
    return out;
  }
  return value;
}

const SMALLINT_MAX = 32_767;
const INT_MAX = 2_147_483_647;
const BIGINT_MAX = 9_223_372_036_854_775_807n;

const optionalText = z.string().nullish().transform((v) => (v === null || v === undefined ? null : cleanText(v)));

/** A whole number given as a JSON number or a decimal string, 0..max. */
const wholeNumber = (max: number, what: string) =>
  z.union([z.number(), z.string()], `${what} must be a number`).nullish().transform((v, ctx) => {
    if (v === null || v === undefined) return null;
    const n = typeof v === 'number' ? v : /^\s*-?\d+\s*$/.test(v) ? Number(v) : Number.NaN;
    const problem = !Number.isInteger(n) ? `${what} must be a whole number`
      : n < 0 ? `${what} must not be negative`
        : n > max ? `${what} must be at most ${max}` : null;
    if (problem === null) return n;
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  });

/** Booleans, also as "true"/"false" (any case) or 0/1, as the API and SDK both allow. */
const looseBoolean = z.union([z.boolean(), z.string(), z.number()], 'must be true or false').nullish().transform((v, ctx) => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v;
  const t = typeof v === 'string' ? v.trim().toLowerCase() : v;
  if (t === 'true' || t === 1) return true;
  if (t === 'false' || t === 0) return false;
  ctx.addIssue({ code: 'custom', message: 'must be true or false' });
  return z.NEVER;
});

/** UserId: bigint column, kept as a decimal string. A JSON number past 2^53 has already lost digits. */
const userId = z.union([z.number(), z.string()], 'UserId must be a number').nullish().transform((v, ctx) => {
  if (v === null || v === undefined) return null;
  let problem: string | null = null;
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) problem = 'UserId must be a non-negative whole number';
    else if (!Number.isSafeInteger(v)) problem = 'UserId is beyond 2^53 as a JSON number, so its digits were lost in parsing';
  } else if (!/^\s*\d+\s*$/.test(v)) problem = 'UserId must be a decimal account id';
  if (problem === null) {
    const id = BigInt(typeof v === 'number' ? v : v.trim());
    if (id <= BIGINT_MAX) return id.toString();
    problem = 'UserId does not fit a bigint';
  }
  ctx.addIssue({ code: 'custom', message: problem });
  return z.NEVER;
});

const ISO_LIKE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|z|[+-]\d{2}:?\d{2})?$/;

/** ISO 8601 as the API documents it (UTC, `Z`); a missing zone means UTC, not the host's local time. */
export function parseCreationTime(value: string): string | null {
  const m = ISO_LIKE.exec(value.trim());
  if (m === null) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${offset}`);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

const creationTime = z.string().nullish().transform((v, ctx) => {
  if (v === null || v === undefined || v.trim() === '') return null;
  const iso = parseCreationTime(cleanText(v));
  if (iso === null) {
    ctx.addIssue({ code: 'custom', message: 'CreationTime is not an ISO 8601 date-time' });
    return z.NEVER;
  }
  return iso;
});

const tags = z.array(
  z.object({ Key: z.string('tag Key must be a string'), Value: z.string('tag Value must be a string').nullish() }, 'each tag must be an object with Key and Value'),
  'Tags must be an array',
).nullish().transform((list): ImageTag[] => {
  const seen = new Set<string>();
  const out: ImageTag[] = [];
  for (const t of list ?? []) {
    const tag = { key: cleanText(t.Key), value: cleanText(t.Value ?? '') };
    // Same key twice: keep both only if the values differ (an exact repeat carries no information).
    const id = JSON.stringify([tag.key, tag.value]);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(tag);
  }
  return out.sort((a, b) => compare(a.key, b.key) || compare(a.value, b.value));
});

const createInstances = z.array(z.string('CreateInstances entries must be strings'), 'CreateInstances must be an array').nullish()
  .transform((v) => (v === null || v === undefined ? null : v.map(cleanText)));

const itemSchema = z.object({
  ImageId: z.string('ImageId is missing or not a string').transform(cleanText)
    .refine((v) => v.trim() !== '', 'ImageId is empty'),
  RegionId: optionalText,
  Name: optionalText,
  Description: optionalText,
  Status: wholeNumber(SMALLINT_MAX, 'Status'),
  OsType: optionalText,
  CreationTime: creationTime,
  InstanceId: optionalText,
  InstanceName: optionalText,
  SystemSnapshotId: optionalText,
  SystemSnapshotName: optionalText,
  DataSnapshotId: optionalText,
  DataSnapshotName: optionalText,
  RequiredSystemDiskSize: wholeNumber(INT_MAX, 'RequiredSystemDiskSize'),
  RequiredDataDiskSize: wholeNumber(INT_MAX, 'RequiredDataDiskSize'),
  SourceImageName: optionalText,
  SourceImageVersion: optionalText,
  ResourceGroupId: optionalText,
  InShare: looseBoolean,
  InShareUser: looseBoolean,
  UserId: userId,
  CreateInstances: createInstances,
  Tags: tags,
}, 'the item is not a JSON object');

/**
 * Parses one wire item listed in `regionId`. Throws only MalformedResponseError.
 * An item naming another region is malformed too: storing it under this region would later
 * let a complete listing of either region "delete" it.
 */
export function normalizeImage(item: unknown, regionId: string): ObservedImage {
  const parsed = itemSchema.safeParse(item);
  const imageId = imageIdOf(item);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join('.') ?? '';
    const received = path === '' ? item : valueAt(item, issue?.path ?? []);
    throw new MalformedResponseError(regionId, `${path !== '' ? `${path}: ` : ''}${issue?.message ?? 'invalid'} (got ${previewValue(received)})`, imageId);
  }
  const p = parsed.data;
  if (p.RegionId !== null && p.RegionId !== '' && p.RegionId !== regionId) {
    throw new MalformedResponseError(regionId, `RegionId is ${previewValue(p.RegionId)} in a listing of ${regionId}`, p.ImageId);
  }
  let raw: Record<string, unknown>;
  try {
    raw = cleanJson(item) as Record<string, unknown>;
  } catch {
    throw new MalformedResponseError(regionId, 'the item is nested too deeply to store', p.ImageId);
  }
  const fields: ImageFields = {
    regionId,
    name: p.Name,
    description: p.Description,
    status: p.Status,
    osType: p.OsType,
    creationTime: p.CreationTime,
    instanceId: p.InstanceId,
    instanceName: p.InstanceName,
    systemSnapshotId: p.SystemSnapshotId,
    systemSnapshotName: p.SystemSnapshotName,
    dataSnapshotId: p.DataSnapshotId,
    dataSnapshotName: p.DataSnapshotName,
    requiredSystemDiskSize: p.RequiredSystemDiskSize,
    requiredDataDiskSize: p.RequiredDataDiskSize,
    sourceImageName: p.SourceImageName,
    sourceImageVersion: p.SourceImageVersion,
    resourceGroupId: p.ResourceGroupId,
    inShare: p.InShare,
    inShareUser: p.InShareUser,
    userId: p.UserId,
    createInstances: p.CreateInstances,
  };
  return { imageId: p.ImageId, fields, tags: p.Tags, raw };
}

/**
 * The cheap part of normalizing, for every item of every listing: the id, checked as the schema
 * checks it; the item is kept as received. Throws MalformedResponseError, as normalizeImage does,
 * for an item without a usable ImageId; every other check (nesting too deep to store included)
 * waits: an unchanged region is decided on digests (raw-digest.ts, computed only when the region
 * is small enough to be decided at once), and a changed one is normalized, which cleans the item.
 */
export function listedItem(item: unknown, regionId: string): ListedItem {
  const id = typeof item === 'object' && item !== null && !Array.isArray(item) ? (item as Record<string, unknown>).ImageId : undefined;
  const imageId = typeof id === 'string' ? cleanText(id) : '';
  if (imageId.trim() === '') {
    normalizeImage(item, regionId);
    throw new MalformedResponseError(regionId, 'ImageId is missing or empty', null);
  }
  return { imageId, raw: item as Record<string, unknown> };
}

function imageIdOf(item: unknown): string | null {
  const id = typeof item === 'object' && item !== null ? (item as Record<string, unknown>).ImageId : undefined;
  return typeof id === 'string' && id !== '' ? cleanText(id).slice(0, 64) : null;
}

function valueAt(item: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = item;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
