/**
 * Unchanged regions recorded together (migrations/0009, statement-batcher.ts), on both back
 * ends: regions that finish while another's record is in flight share one statement and one
 * commit (their rows carry one transaction id), each is still decided on its own (an unchanged
 * region beside a changed one: true beside false, the false one writing nothing), and a region
 * whose record cannot be written fails alone, its neighbours recorded. A listing's stamp says
 * whether its region was ever recorded (a first listing skips the unchanged record).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { listedItem } from '../../src/sync/normalize-image.js';
import { listingClock, recordUnchangedRegion } from '../../src/sync/record-unchanged-region.js';
import { startRun } from '../../src/sync/run-record.js';
import { regionSyncs } from '../../src/db/schema.js';
import { queryRows, type DatabaseHandle } from '../../src/db/database.js';
import { backends, createTestDatabase } from '../helpers/databases.js';
import { writeListing, wireImage } from '../helpers/listings.js';
import { writeFingerprint } from '../helpers/write-probe.js';

const ACCOUNT = 'default';
const REGIONS = ['r-a', 'r-b', 'r-c', 'r-d', 'r-e'];

describe.each(backends())('unchanged regions recorded together on %s', (kind) => {
  let h: DatabaseHandle;
  beforeAll(async () => {
    h = await createTestDatabase(kind);
    for (const r of REGIONS) await writeListing(h.db, ACCOUNT, r, [wireImage(`${r}-1`, r), wireImage(`${r}-2`, r)]);
  });
  afterAll(async () => h?.close());

  const record = async (runId: string, regionId: string, items: Array<Record<string, unknown>>) => recordUnchangedRegion(h.db, {
    runId, account: ACCOUNT, regionId, listingStartedAt: await listingClock(h.db, { account: ACCOUNT, regionId }).at, startedAt: new Date(),
    items: items.map((i) => listedItem(i, regionId)), pages: 1, apiCalls: 1, attempts: 1,
  });
  const newRun = async () => {
    const runId = randomUUID();
    await startRun(h.db, { id: runId, trigger: 'cli' });
    return runId;
  };
  const rowsOf = (runId: string) => h.db.execute<{ region_id: string; xid: string }>(
    sql`select region_id, xmin::text as xid from swas.region_syncs where sync_run_id = ${runId} order by region_id`);
  const asRows = (r: unknown) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Array<{ region_id: string; xid: string }>;

  it('regions finishing together share one commit; a changed one among them answers false and writes nothing', async () => {
    const runId = await newRun();
    const before = await writeFingerprint(h.db);
    // r-c lists a third image: it must fall through; the rest are unchanged.
    const answers = await Promise.all(REGIONS.map((r) => record(runId, r, [
      wireImage(`${r}-2`, r), wireImage(`${r}-1`, r), ...(r === 'r-c' ? [wireImage('r-c-3', r)] : []),
    ])));
    expect(answers).toEqual([true, true, false, true, true]);
    expect(await writeFingerprint(h.db)).toEqual(before);
    const rows = asRows(await rowsOf(runId));
    expect(rows.map((r) => r.region_id)).toEqual(['r-a', 'r-b', 'r-d', 'r-e']);
    // Five requests were made at once: the first went alone, the others came back in one
    // statement, so at least two of the recorded regions carry the same transaction id.
    expect(new Set(rows.map((r) => r.xid)).size).toBeLessThan(rows.length);
  });

  it('a listing stamp says whether its region was ever recorded, for each region of a shared statement', async () => {
    const stamps = ['r-a', 'never-synced', 'r-b', 'other-never'].map((regionId) => listingClock(h.db, { account: ACCOUNT, regionId }));
    expect(await Promise.all(stamps.map((s) => s.regionKnown))).toEqual([true, false, true, false]);
    expect(await listingClock(h.db, { account: 'another-account', regionId: 'r-a' }).regionKnown).toBe(false);
    for (const s of stamps) expect(await s.at).toBeInstanceOf(Date);
  });

  it('a stamp taken soon after a reading needs no round trip, and is never later than the database clock', async () => {
    await listingClock(h.db, { account: ACCOUNT, regionId: 'r-a' }).at;
    for (let i = 0; i < 20; i++) {
      const stamp = listingClock(h.db, { account: ACCOUNT, regionId: 'r-a' });
      // Resolved before the event loop polled for I/O: no statement answered it.
      const first = await Promise.race([stamp.at.then(() => 'stamp'), new Promise((resolve) => setImmediate(() => resolve('I/O')))]);
      expect(first).toBe('stamp');
      const [row] = await queryRows<{ now: Date | string }>(h.db, sql`select clock_timestamp() as now`);
      expect((await stamp.at).getTime()).toBeLessThanOrEqual(new Date(row?.now as Date | string).getTime());
      expect(await stamp.regionKnown).toBe(true);
    }
  });

  it('a region whose record cannot be written (its run does not exist) fails alone; its neighbours are recorded', async () => {
    const runId = await newRun();
    const ghost = randomUUID();
    const settled = await Promise.allSettled(REGIONS.filter((r) => r !== 'r-c').map((r) => record(r === 'r-b' ? ghost : runId, r, [
      wireImage(`${r}-1`, r), wireImage(`${r}-2`, r),
    ])));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(settled.filter((s) => s.status === 'fulfilled').map((s) => s.value)).toEqual([true, true, true]);
    expect(asRows(await rowsOf(runId)).map((r) => r.region_id)).toEqual(['r-a', 'r-d', 'r-e']);
    expect(await h.db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, ghost))).toEqual([]);
  });
});
