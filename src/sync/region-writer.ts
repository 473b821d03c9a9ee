/**
 * The streaming side of a region sync: receives a listing's items page by page (a ListingSink)
 * and holds them, not yet normalized, until it knows what to do. A small region (one batch, the
 * common case) is held whole, so an unchanged one can be recorded by one statement without a
 * transaction (record-unchanged-region.ts). Once a batch overflows, or the region turned out to
 * have changed, the writer opens the region's transaction (advisory lock, staleness check, clock),
 * normalizes, diffs each batch against what is stored for those ids and writes the result.
 * Memory holds one batch, never the region.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/database.js';
import { HeldTransaction } from '../db/held-transaction.js';
import { diffDeletions, diffImages, emptyCounts, type RegionDiff } from './diff-region.js';
import type { ListingSink } from './list-region.js';
import { splitByOwner } from './image-ownership.js';
import { forEachPresentImageBatch, loadStoredByIds, lockRegion } from './load-stored-images.js';
import { normalizeImage } from './normalize-image.js';
import { persistDiff, type WriteContext } from './persist-region.js';
import { databaseClock, listingClock } from './record-unchanged-region.js';
import type { ListedItem } from './types.js';
import type { EventKind } from '../domain/vocabulary.js';

/** Images diffed and written together: few statements per batch, bounded memory. */
export const WRITE_BATCH = 1000;

/** Present rows a complete listing compares at a time when it looks for deletions. */
export const PRESENT_BATCH = 5000;

/** A later listing of the region was written while this one ran: this one is older, and refused. */
export class ListingSupersededError extends Error {
  override name = 'ListingSupersededError';
  readonly code = 'ListingSuperseded';
  constructor(readonly regionId: string, started: Date, newer: Date) {
    super(`A newer listing of ${regionId} (started ${newer.toISOString()}) was recorded while this one (started ${started.toISOString()}) ran; ` +
      'this older one was discarded and nothing of it written. The next sync lists the region again.');
  }
}

export interface RegionWriterContext {
  runId: string;
  account: string;
  regionId: string;
}

export class RegionWriter implements ListingSink {
  private buffer: ListedItem[] = [];
  private held: HeldTransaction | null = null;
  private write: WriteContext | null = null;
  private stamp: Date | null = null;
  private known: Promise<boolean> = Promise.resolve(true);
  counts: Record<EventKind, number> = emptyCounts();
  /** Listed ids that belong to another region of the account (image-ownership.ts), by that region. */
  heldElsewhere = new Map<string, string[]>();

  constructor(
    private readonly db: Db,
    private readonly region: RegionWriterContext,
    private readonly batchSize = WRITE_BATCH,
    /** Present rows read (and their deletions written) at a time by deleteAbsent. */
    private readonly presentBatchSize = PRESENT_BATCH,
  ) {}

  /** Each listing attempt starts over: a re-list after page drift must not keep the last attempt's writes. */
  async begin(attempt: number): Promise<void> {
    if (attempt > 1 && this.held) await this.held.tx.execute(sql`rollback to savepoint listing_attempt`);
    this.buffer = [];
    this.counts = emptyCounts();
    this.heldElsewhere = new Map();
  }

  /**
   * Stamps the listing with the database's clock right before its first request goes out (after
   * any rate-limit wait): a later listing of the region has a later stamp. Each attempt re-stamps.
   */
  async started(): Promise<void> {
    this.stamp = await this.clock();
  }

  /** The listing's stamp (taken now if the listing never called started()). */
  async listingStartedAt(): Promise<Date> {
    this.stamp ??= await this.clock();
    return this.stamp;
  }

  /**
   * Inside the region's transaction its own connection's clock; outside, the shared one
   * (record-unchanged-region.ts), which also says whether the region was ever recorded.
   */
  private async clock(): Promise<Date> {
    if (this.held) return databaseClock(this.held.tx);
    const stamp = listingClock(this.db, { account: this.region.account, regionId: this.region.regionId });
    this.known = stamp.regionKnown;
    return stamp.at;
  }

  /** False when the region had never been recorded at the listing's stamp: no unchanged record can apply. */
  regionKnown(): Promise<boolean> {
    return this.known;
  }

  async page(items: ListedItem[]): Promise<void> {
    this.buffer.push(...items);
    if (this.buffer.length >= this.batchSize) {
      await this.open({ listingStillRunning: true });
      await this.flush();
    }
  }

  /** Every item of the listing, while no batch has been written yet (else null). */
  get heldItems(): readonly ListedItem[] | null {
    return this.held === null ? this.buffer : null;
  }

  /** The region's transaction, opened on first use. */
  async transaction(): Promise<{ tx: Db; write: WriteContext }> {
    await this.open({ listingStillRunning: false });
    return { tx: (this.held as HeldTransaction).tx, write: this.write as WriteContext };
  }

  /** Normalizes, diffs and writes what is held. */
  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const { tx } = await this.transaction();
    const batch = this.buffer.map((item) => item.observed ?? normalizeImage(item.raw, this.region.regionId));
    this.buffer = [];
    const stored = await loadStoredByIds(tx, this.region.account, batch.map((i) => i.imageId));
    const own = splitByOwner(this.region.regionId, stored, batch);
    for (const [owner, held] of own.heldElsewhere) this.heldElsewhere.set(owner, [...(this.heldElsewhere.get(owner) ?? []), ...held]);
    await this.apply(diffImages(own.stored, own.observed));
  }

  /** Only after a COMPLETE listing: what is present in the database but was not seen is deleted. */
  async deleteAbsent(seen: ReadonlySet<string>): Promise<void> {
    await this.flush();
    const { tx } = await this.transaction();
    // A batch of present rows at a time (one cursor, one snapshot): a large region's rows are
    // never all in memory, and each batch's deletions are written before the next is read.
    await forEachPresentImageBatch(tx, this.region.account, this.region.regionId, this.presentBatchSize,
      (present) => this.apply({ writes: [], unchanged: 0, ...diffDeletions(present, seen) }));
  }

  async commit(): Promise<void> {
    await this.held?.commit();
    this.held = null;
  }

  async rollback(error: unknown): Promise<void> {
    await this.held?.rollback(error);
    this.held = null;
  }

  /**
   * Lock, then check that no later listing was written, then the clock of every event and version
   * (the database's, once the lock is held, so histories from different machines stay ordered).
   */
  private async open({ listingStillRunning }: { listingStillRunning: boolean }): Promise<void> {
    if (this.held) return;
    this.held = await HeldTransaction.open(this.db);
    const { tx } = this.held;
    await lockRegion(tx, this.region.account, this.region.regionId);
    const [row] = await queryRows<{ now: Date | string; newer: Date | string | null }>(tx, sql`
      select clock_timestamp() as now,
        (select listing_started_at from swas.region_states where account = ${this.region.account} and region_id = ${this.region.regionId}) as newer`);
    if (!row) throw new Error('database returned no clock');
    const newer = row.newer === null ? null : toDate(row.newer);
    const stamp = await this.listingStartedAt();
    // Stamps are milliseconds: two listings started in the same one cannot be ordered, so the one
    // that comes second is refused (it is listed again next time) rather than let an older
    // listing write over a newer one.
    if (newer !== null && newer >= stamp) throw new ListingSupersededError(this.region.regionId, stamp, newer);
    this.write = { runId: this.region.runId, account: this.region.account, regionId: this.region.regionId, observedAt: toDate(row.now) };
    if (listingStillRunning) await tx.execute(sql`savepoint listing_attempt`);
  }

  private async apply(diff: RegionDiff): Promise<void> {
    if (diff.writes.length === 0 && diff.deletions.length === 0 && diff.events.length === 0) return;
    const { tx, write } = await this.transaction();
    await persistDiff(tx, write, diff);
    for (const e of diff.events) this.counts[e.kind]++;
  }
}

const toDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));
