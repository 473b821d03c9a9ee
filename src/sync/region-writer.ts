/**
 * The streaming side of a region sync: receives a listing's images page by page (a ListingSink),
 * diffs them in batches against what is stored for those ids, and writes the result, all inside
 * the region's transaction. Memory holds one batch, never the region.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { diffDeletions, diffImages, emptyCounts, type RegionDiff } from './diff-region.js';
import type { ListingSink } from './list-region.js';
import { loadPresentImages, loadStoredByIds } from './load-stored-images.js';
import { persistDiff, type WriteContext } from './persist-region.js';
import type { EventKind, ObservedImage } from './types.js';

/** Images diffed and written together: few statements per batch, bounded memory. */
export const WRITE_BATCH = 1000;

export class RegionWriter implements ListingSink {
  private buffer: ObservedImage[] = [];
  counts: Record<EventKind, number> = emptyCounts();

  constructor(private readonly tx: Db, private readonly ctx: WriteContext, private readonly batchSize = WRITE_BATCH) {}

  /**
   * Each listing attempt starts from the same savepoint: a re-list after page drift must not keep
   * the writes of the attempt it replaces.
   */
  async begin(attempt: number): Promise<void> {
    if (attempt > 1) await this.tx.execute(sql`rollback to savepoint listing_attempt`);
    else await this.tx.execute(sql`savepoint listing_attempt`);
    this.buffer = [];
    this.counts = emptyCounts();
  }

  async page(images: ObservedImage[]): Promise<void> {
    this.buffer.push(...images);
    if (this.buffer.length >= this.batchSize) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    const stored = await loadStoredByIds(this.tx, this.ctx.account, batch.map((i) => i.imageId));
    await this.write(diffImages(stored, batch));
  }

  /** Only after a COMPLETE listing: what is present in the database but was not seen is deleted. */
  async deleteAbsent(seen: ReadonlySet<string>): Promise<void> {
    await this.flush();
    const present = await loadPresentImages(this.tx, this.ctx.account, this.ctx.regionId);
    await this.write({ writes: [], unchanged: 0, ...diffDeletions(present, seen) });
  }

  private async write(diff: RegionDiff): Promise<void> {
    if (diff.writes.length === 0 && diff.deletions.length === 0 && diff.events.length === 0) return;
    await persistDiff(this.tx, this.ctx, diff);
    for (const e of diff.events) this.counts[e.kind]++;
  }
}
