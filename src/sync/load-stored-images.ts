import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../db/database.js';
import { customImages, customImageTags } from '../db/schema.js';
import { columnsToFields } from './image-row.js';
import { sortTags } from './diff-region.js';
import type { StoredImage } from './types.js';
import type { ImageTag } from '../domain/vocabulary.js';

/**
 * What the database holds for these image ids of the account, whatever their region (an image
 * listed under another region than before is then an update, not a second row).
 */
export function loadStoredByIds(db: Db, account: string, imageIds: readonly string[]): Promise<StoredImage[]> {
  if (imageIds.length === 0) return Promise.resolve([]);
  return loadWhere(db, account, inArray(customImages.imageId, [...imageIds]));
}

/**
 * Ids and statuses of the images currently present (not deleted) in one account+region, handed to
 * `each` `batchSize` rows at a time through a cursor: one snapshot, as one select would see it,
 * without holding a 100,000-image region's rows at once. Must run inside a transaction (`tx`).
 */
export async function forEachPresentImageBatch(
  tx: Db, account: string, regionId: string, batchSize: number,
  each: (rows: Array<{ imageId: string; status: number | null }>) => Promise<void>,
): Promise<void> {
  await tx.execute(sql`declare swas_present_images no scroll cursor for
    select image_id, status from swas.custom_images
    where account = ${account} and region_id = ${regionId} and deleted_at is null`);
  for (;;) {
    const rows = await queryRows<{ image_id: string; status: number | null }>(tx, sql`fetch forward ${sql.raw(String(Math.max(1, Math.floor(batchSize))))} from swas_present_images`);
    if (rows.length === 0) break;
    await each(rows.map((r) => ({ imageId: r.image_id, status: r.status === null ? null : Number(r.status) })));
    if (rows.length < batchSize) break;
  }
  // Not in a finally: after a failed statement the transaction is aborted, a `close` would fail
  // too and hide the real error; the rollback that follows closes the cursor anyway.
  await tx.execute(sql`close swas_present_images`);
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

