/**
 * The diff: a pure function from (what the database holds for one account+region, what one
 * listing observed) to the writes and events that bring the database in line. No I/O, so it is
 * unit-tested with literal fixtures (test/unit/diff-region.test.ts).
 */
import { canonicalJson, contentHash } from './content-hash.js';
import type { FieldChanges, ImageFields, ObservedImage, StoredImage } from './types.js';
import type { EventKind, ImageTag } from '../domain/vocabulary.js';

export interface PlannedEvent {
  imageId: string;
  kind: EventKind;
  oldStatus: number | null;
  newStatus: number | null;
  changes: FieldChanges;
}

/** An image whose current row must be written (inserted, changed or restored). */
export interface ImageWrite {
  image: ObservedImage;
  contentHash: string;
  /** Tags differ from the stored ones (or the image is new): rewrite its tag rows. */
  tagsChanged: boolean;
  /** The image existed before (so its open version, if any, must be closed). */
  existed: boolean;
  /** Whether the image's tags have ever been observed, this answer included (stored, sticky). */
  tagsKnown: boolean;
}

export interface RegionDiff {
  writes: ImageWrite[];
  /** Image ids present in the database but absent from a complete listing. */
  deletions: string[];
  events: PlannedEvent[];
  /** Observed images that matched the stored state exactly: no writes at all. */
  unchanged: number;
}

export const emptyCounts = (): Record<EventKind, number> => ({
  created: 0, updated: 0, status_changed: 0, tags_changed: 0, deleted: 0, restored: 0,
});

/**
 * The whole-region diff over data in memory: `diffImages` + `diffDeletions`.
 * @param stored   every image the database holds for this account+region, deleted ones included
 * @param observed the (deduplicated) images of the listing
 * @param complete whether the listing is known complete; only then are absent images deleted
 */
export function diffRegion(
  stored: readonly StoredImage[],
  observed: readonly ObservedImage[],
  complete: boolean,
): RegionDiff {
  const diff = diffImages(stored, observed);
  if (complete) {
    const seen = new Set(observed.map((o) => o.imageId));
    const gone = diffDeletions(stored.filter((s) => s.deletedAt === null).map((s) => ({ imageId: s.imageId, status: s.fields.status })), seen);
    diff.deletions.push(...gone.deletions);
    diff.events.push(...gone.events);
  }
  return diff;
}

/**
 * Writes and events for a batch of observed images against what is stored for those same ids
 * (the streaming sync calls it once per batch of pages). Never produces deletions.
 */
export function diffImages(stored: readonly StoredImage[], observed: readonly ObservedImage[]): RegionDiff {
  const byId = new Map(stored.map((s) => [s.imageId, s]));
  const diff: RegionDiff = { writes: [], deletions: [], events: [], unchanged: 0 };

  for (const seenImage of observed) {
    const before = byId.get(seenImage.imageId);
    // A returning image is observed afresh (what it lacks is unknown, filled in later without an
    // event); a present one keeps what a sparse answer left out.
    const image = before && before.deletedAt === null ? carryForward(before, seenImage) : seenImage;
    const hash = contentHash(image.fields, image.tags);
    if (!before) {
      diff.writes.push({ image, contentHash: hash, tagsChanged: true, existed: false, tagsKnown: carriesTags(image) });
      diff.events.push(event(image.imageId, 'created', null, image.fields.status, {}));
      continue;
    }
    const restored = before.deletedAt !== null;
    // Fast path, the common case of a re-sync: same hash, still present -> nothing to do.
    if (!restored && before.contentHash === hash) {
      diff.unchanged++;
      continue;
    }
    const changes = fieldChanges(before.fields, image.fields);
    const tagsChanged = !sameTags(before.tags, image.tags);
    if (tagsChanged) changes.tags = { old: before.tags, new: image.tags };
    // Sticky while present (carryForward kept the tags a sparse answer left out); a returning image
    // is observed afresh, so it knows only what this answer carried.
    const tagsKnown = restored ? carriesTags(seenImage) : before.tagsKnown || carriesTags(seenImage);
    diff.writes.push({ image, contentHash: hash, tagsChanged, existed: true, tagsKnown });
    diff.events.push(...changeEvents(image.imageId, before, image, withoutFirstSightings(before, changes), restored));
  }
  return diff;
}

/**
 * The API may leave optional fields out of an item, or send them as null, without the image having
 * changed (the emulator's oddTypes fault does; real gateways are known to). Absence is not
 * evidence of change: a field the listing did not give keeps its stored value, and so do tags when
 * `Tags` is absent. An explicit value, the empty string or an empty `Tags` array included, is a
 * real observation. Without this, one sparse answer would record a change and the next a change back.
 */
export function carryForward(before: StoredImage, image: ObservedImage): ObservedImage {
  let fields: ImageFields | null = null;
  for (const key of Object.keys(image.fields) as Array<keyof ImageFields>) {
    if (image.fields[key] === null && before.fields[key] !== null) {
      fields ??= { ...image.fields };
      (fields as unknown as Record<string, unknown>)[key] = before.fields[key];
    }
  }
  const tagsAbsent = image.raw.Tags === undefined || image.raw.Tags === null;
  const keepTags = tagsAbsent && before.tags.length > 0;
  if (fields === null && !keepTags) return image;
  return { ...image, fields: fields ?? image.fields, tags: keepTags ? before.tags : image.tags };
}

/** The answer carried a `Tags` array (an empty one included): the image's tags are observed. */
const carriesTags = (image: ObservedImage): boolean => Array.isArray(image.raw.Tags) || image.tags.length > 0;

/**
 * A value seen for the first time is not a change: `null` stored means "never observed" (an
 * answer left the field out), so null -> value only fills in what we did not know (the row and a
 * new version are still written, no event is). Likewise tags first seen on an image whose earlier
 * answers never carried a `Tags` array.
 */
function withoutFirstSightings(before: StoredImage, changes: FieldChanges): FieldChanges {
  const out: FieldChanges = {};
  for (const [field, change] of Object.entries(changes)) {
    if (field === 'tags' ? !before.tagsKnown : change.old === null) continue;
    out[field] = change;
  }
  return out;
}

/**
 * Deletions after a COMPLETE listing: every image present in the database (not already deleted)
 * that the listing did not see. The caller must only call this for a complete listing.
 */
export function diffDeletions(
  present: ReadonlyArray<{ imageId: string; status: number | null }>,
  seen: ReadonlySet<string>,
): Pick<RegionDiff, 'deletions' | 'events'> {
  const out: Pick<RegionDiff, 'deletions' | 'events'> = { deletions: [], events: [] };
  for (const p of present) {
    if (seen.has(p.imageId)) continue;
    out.deletions.push(p.imageId);
    out.events.push(event(p.imageId, 'deleted', p.status, null, {}));
  }
  return out;
}

/**
 * One event per kind of change, so the log answers "when did the status change" without parsing
 * `changes`: a restore is one `restored` event carrying whatever changed while it was gone.
 */
function changeEvents(
  imageId: string,
  before: StoredImage,
  image: ObservedImage,
  changes: FieldChanges,
  restored: boolean,
): PlannedEvent[] {
  const oldStatus = before.fields.status;
  const newStatus = image.fields.status;
  if (restored) return [event(imageId, 'restored', oldStatus, newStatus, changes)];

  const events: PlannedEvent[] = [];
  const { status, tags, ...rest } = changes;
  if (status) events.push(event(imageId, 'status_changed', oldStatus, newStatus, { status }));
  if (Object.keys(rest).length > 0) events.push(event(imageId, 'updated', oldStatus, newStatus, rest));
  if (tags) events.push(event(imageId, 'tags_changed', oldStatus, newStatus, { tags }));
  // Only the hash differed (e.g. a new hash scheme): the row is refreshed, and no event is invented.
  return events;
}

function event(imageId: string, kind: EventKind, oldStatus: number | null, newStatus: number | null, changes: FieldChanges): PlannedEvent {
  return { imageId, kind, oldStatus, newStatus, changes };
}

export function fieldChanges(before: ImageFields, after: ImageFields): FieldChanges {
  const changes: FieldChanges = {};
  for (const key of Object.keys(after) as Array<keyof ImageFields>) {
    const old = before[key] ?? null;
    const now = after[key] ?? null;
    if (canonicalJson(old) !== canonicalJson(now)) changes[key] = { old, new: now };
  }
  return changes;
}

export function sameTags(a: readonly ImageTag[], b: readonly ImageTag[]): boolean {
  return canonicalJson(sortTags(a)) === canonicalJson(sortTags(b));
}

export function sortTags(tags: readonly ImageTag[]): ImageTag[] {
  return [...tags].sort((x, y) => (x.key === y.key ? cmp(x.value, y.value) : cmp(x.key, y.key)));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Event counts by kind, for region_syncs and the CLI summary. */
export function countEvents(events: readonly PlannedEvent[]): Record<EventKind, number> {
  const counts = emptyCounts();
  for (const e of events) counts[e.kind]++;
  return counts;
}
