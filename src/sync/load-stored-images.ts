import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { customImages, customImageTags } from '../db/schema.js';
import { columnsToFields } from './image-row.js';
import { sortTags } from './diff-region.js';
import type { ImageTag, StoredImage } from './types.js';

/** Everything the database holds for one account+region (deleted images included), for the diff. */
export async function loadStoredImages(db: Db, account: string, regionId: string): Promise<StoredImage[]> {
  const rows = await db
    .select()
    .from(customImages)
    .where(and(eq(customImages.account, account), eq(customImages.regionId, regionId)));
  if (rows.length === 0) return [];

  const tagRows = await db
    .select({ imageId: customImageTags.imageId, key: customImageTags.key, value: customImageTags.value })
    .from(customImageTags)
    .innerJoin(
      customImages,
      and(eq(customImages.account, customImageTags.account), eq(customImages.imageId, customImageTags.imageId)),
    )
    .where(and(eq(customImageTags.account, account), eq(customImages.regionId, regionId)));
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
