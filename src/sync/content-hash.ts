import { createHash } from 'node:crypto';
import type { ImageFields } from './types.js';
import type { ImageTag } from '../domain/vocabulary.js';

/**
 * A stable fingerprint of everything we model about an image (typed fields + tags, not `raw`).
 * Equal hashes mean "nothing changed", so an unchanged re-sync compares hashes and writes nothing
 * (Fix Inventory's approach). `raw` is left out on purpose: the wire may vary in representation
 * (a number sent as a string) without the image changing.
 */
export function contentHash(fields: ImageFields, tags: readonly ImageTag[]): string {
  return createHash('sha256').update(canonicalJson({ fields, tags })).digest('base64url');
}

/** JSON with object keys sorted, so the same value always serializes to the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}
