/**
 * The contract between the sync pipeline's steps:
 *   fetch pages (src/cloud) -> normalize (ObservedImage) -> diff (against StoredImage) -> persist.
 * Everything here is plain data so the pure steps can be tested with literal fixtures.
 */

import type { ImageTag } from '../domain/vocabulary.js';

/**
 * One custom image as normalized from the wire: every response field as a typed value.
 * Optional fields the API left out are `null`. Text is already cleaned of what Postgres refuses (NUL).
 */
export interface ImageFields {
  regionId: string;
  name: string | null;
  description: string | null;
  status: number | null;
  osType: string | null;
  /** ISO 8601 UTC, second precision (`2022-10-09T02:28:06.000Z`), or null. */
  creationTime: string | null;
  instanceId: string | null;
  instanceName: string | null;
  systemSnapshotId: string | null;
  systemSnapshotName: string | null;
  dataSnapshotId: string | null;
  dataSnapshotName: string | null;
  requiredSystemDiskSize: number | null;
  requiredDataDiskSize: number | null;
  sourceImageName: string | null;
  sourceImageVersion: string | null;
  resourceGroupId: string | null;
  inShare: boolean | null;
  inShareUser: boolean | null;
  /** bigint as a decimal string: account ids can exceed 2^53 in principle. */
  userId: string | null;
  createInstances: string[] | null;
}

/** What one listing says about one image. */
export interface ObservedImage {
  imageId: string;
  fields: ImageFields;
  /** Sorted by key, then value. */
  tags: ImageTag[];
  /** The item as it came off the wire (PascalCase keys), NUL-cleaned, for the `raw` jsonb column. */
  raw: Record<string, unknown>;
}

/**
 * One listed item before the schema has run: its id and the item as received (not yet cleaned:
 * normalizeImage cleans it). An unchanged region is decided on the items' digests alone
 * (raw-digest.ts); only a changed one is normalized (zod) and diffed.
 */
export interface ListedItem {
  imageId: string;
  raw: Record<string, unknown>;
  /** Already normalized (a listing built in memory, see applyListing): used as it is. */
  observed?: ObservedImage;
}

/** What the database holds for one image of one (account, region) before a sync. */
export interface StoredImage {
  imageId: string;
  fields: ImageFields;
  tags: ImageTag[];
  /** `contentHash(fields, tags)` as stored when the row was last written. */
  contentHash: string;
  /** Whether any answer so far carried a `Tags` array (or tags): if not, `[]` means "unknown". */
  tagsKnown: boolean;
  /** null while the image is present; set once a complete listing no longer had it. */
  deletedAt: Date | null;
}

/** `{field: {old, new}}`; tags appear as field `tags` with sorted `[{key, value}]` arrays. */
export type FieldChanges = Record<string, { old: unknown; new: unknown }>;

/** Why a listing may be incomplete; an incomplete listing never yields deletions. */
export type ListingCompleteness =
  | { complete: true }
  | { complete: false; reason: string };

/** The full outcome of listing one (account, region). */
export interface RegionListing {
  accountName: string;
  regionId: string;
  /** The unique images, when the listing was collected; empty when it was streamed to a sink. */
  images: ObservedImage[];
  /** Ids of every unique image the (last) listing saw: what a complete listing's deletions are computed against. */
  imageIds: ReadonlySet<string>;
  completeness: ListingCompleteness;
  pages: number;
  apiCalls: number;
}

/**
 * A complete listing held whole, with what its region_syncs row records: what the one-statement
 * records of a region take (record-unchanged-region.ts, record-first-listing.ts).
 */
export interface HeldListing {
  runId: string;
  account: string;
  regionId: string;
  /** The listing's stamp (the fence against an older listing). */
  listingStartedAt: Date;
  /** When the region's sync began (region_syncs.started_at). */
  startedAt: Date;
  items: readonly ListedItem[];
  pages: number;
  apiCalls: number;
  attempts: number;
}
