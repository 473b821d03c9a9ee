import { and, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { customImages, customImageTags } from '../db/schema.js';
import { columnsToFields } from './image-row.js';
import { sortTags } from './diff-region.js';
import type { ImageTag, StoredImage } from './types.js';

/**
 * What the database holds for these image ids of the account, whatever their region (an image
 * listed under another region than before is then an update, not a second row).
 */
export function loadStoredByIds(db: Db, account: string, imageIds: readonly string[]): Promise<StoredImage[]> {
  if (imageIds.length === 0) return Promise.resolve([]);
  return loadWhere(db, account, inArray(customImages.imageId, [...imageIds]));
}

/** Ids and statuses of the images currently present (not deleted) in one account+region. */
export async function loadPresentImages(db: Db, account: string, regionId: string): Promise<Array<{ imageId: string; status: number | null }>> {
  return db
    .select({ imageId: customImages.imageId, status: customImages.status })
    .from(customImages)
    .where(and(eq(customImages.account, account), eq(customImages.regionId, regionId), isNull(customImages.deletedAt)));
}

async function loadWhere(db: Db, account: string, filter: SQL): Promise<StoredImage[]> {
  const rows = await db.select().from(customImages).where(and(eq(customImages.account, account), filter));
  if (rows.length === 0) return [];
  const tagRows = await db
    .select({ imageId: customImageTags.imageId, key: customImageTags.key, value: customImageTags.value })
    .from(customImageTags)
    .where(and(eq(customImageTags.account, account), inArray(customImageTags.imageId, rows.map((r) => r.imageId))));
  const tags = new Map<string, ImageTag[]>();
  for (const t of tagRows) {
    const list = tags.get(t.imageId) ?? [];
    list.push({ key: t.key, value: t.value });
    tags.set(t.imageId, list);
  }
  return rows.map((row) => ({
    imageId: row.imageId,
    fields: columnsToFields(row),
    tags: sortTags(tags.get(row.imageId) ?? []),
    contentHash: row.contentHash,
    tagsKnown: row.tagsKnown === true || tags.has(row.imageId) || Array.isArray((row.raw as { Tags?: unknown } | null)?.Tags),
    deletedAt: row.deletedAt,
  }));
}

/**
 * Serializes syncs of one account+region across processes for the rest of the transaction, so
 * two overlapping runs can never both record the same change.
 */
export async function lockRegion(tx: Db, account: string, regionId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${account}), hashtext(${regionId}))`);
}

