/**
 * Which region an image belongs to. An image's identity is (account, ImageId): SWAS image ids are
 * unique, and an image copied to another region gets a new id. So the same id listed by two
 * regions of one account at once is one image seen twice (an API or endpoint anomaly), not two:
 * it stays with the region that holds it (stored, not deleted), and the other region's listing
 * of it is set aside (reported, never written). Taking it over would flip the row's region, and
 * write an `updated` event and a new version, on every unchanged run. It moves only once its
 * owner's complete listing no longer has it (recorded there as `deleted`), after which the next
 * listing that has it records it as `restored` under its new region: what was observed, in order.
 * Pure; region-writer.ts applies it per batch.
 */
import type { ObservedImage, StoredImage } from './types.js';

export interface OwnershipSplit {
  /** What this region may diff and write. */
  observed: ObservedImage[];
  stored: StoredImage[];
  /** Ids set aside, by the region that holds them. */
  heldElsewhere: Map<string, string[]>;
}

export function splitByOwner(regionId: string, stored: readonly StoredImage[], observed: readonly ObservedImage[]): OwnershipSplit {
  const heldBy = new Map<string, string>();
  for (const s of stored) {
    if (s.deletedAt === null && s.fields.regionId !== regionId) heldBy.set(s.imageId, s.fields.regionId);
  }
  if (heldBy.size === 0) return { observed: [...observed], stored: [...stored], heldElsewhere: new Map() };
  const heldElsewhere = new Map<string, string[]>();
  const kept: ObservedImage[] = [];
  for (const o of observed) {
    const owner = heldBy.get(o.imageId);
    if (owner === undefined) {
      kept.push(o);
      continue;
    }
    const ids = heldElsewhere.get(owner) ?? [];
    ids.push(o.imageId);
    heldElsewhere.set(owner, ids);
  }
  return { observed: kept, stored: stored.filter((s) => !heldBy.has(s.imageId)), heldElsewhere };
}

/** One line for the log and the region's result: how many, held where, the first few ids. */
export function describeHeldElsewhere(held: ReadonlyMap<string, readonly string[]>): string | null {
  if (held.size === 0) return null;
  const parts = [...held].sort(([a], [b]) => a.localeCompare(b)).map(([region, ids]) => {
    const shown = ids.slice(0, 3).join(', ');
    return `${ids.length} held by ${region} (${shown}${ids.length > 3 ? ', ...' : ''})`;
  });
  const total = [...held.values()].reduce((n, ids) => n + ids.length, 0);
  return `${total} listed image id(s) already belong to another region of the account and were left there: ${parts.join('; ')}`;
}
