/**
 * The fault matrix's judge. After a scenario's faults are cleared and a clean sync ran:
 *   - expectConverged: the database equals the emulator's truth EXACTLY (every typed column, tags,
 *     deleted_at; deleted images keep their last known tags; one open version per present image);
 *   - expectEventLog: the events since a mark are exactly what the truth implies (no false
 *     `deleted`, no duplicate, no missing transition), and the whole log replays to the rows.
 * Failures are counted for the suite's summary before the assertion throws.
 */
import { expect } from 'vitest';
import { and, asc, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../../src/db/database.js';
import { customImages, customImageTags, customImageVersions, imageEvents } from '../../src/db/schema.js';
import type { EmulatorHandle } from '../../src/emulator/index.js';
import { truthOf, type AccountView, type EventKind, type ExpectedEvent, type ExpectedImage, type Ledger, type Snapshot } from './truth.js';

type ImageRow = typeof customImages.$inferSelect;

/** The row as the same shape as ExpectedImage, from the typed columns. */
function rowView(row: ImageRow, tags: string[]): ExpectedImage {
  return {
    imageId: row.imageId,
    regionId: row.regionId,
    name: row.name as string,
    description: row.description as string,
    status: row.status as number,
    osType: row.osType as string,
    creationTime: row.creationTime?.toISOString() as string,
    instanceId: row.instanceId as string,
    instanceName: row.instanceName as string,
    systemSnapshotId: row.systemSnapshotId as string,
    systemSnapshotName: row.systemSnapshotName as string,
    dataSnapshotId: row.dataSnapshotId as string,
    dataSnapshotName: row.dataSnapshotName as string,
    requiredSystemDiskSize: row.requiredSystemDiskSize as number,
    requiredDataDiskSize: row.requiredDataDiskSize as number,
    sourceImageName: row.sourceImageName as string,
    sourceImageVersion: row.sourceImageVersion as string,
    resourceGroupId: row.resourceGroupId as string,
    inShare: row.inShare as boolean,
    inShareUser: row.inShareUser as boolean,
    userId: row.userId === null ? (null as unknown as string) : row.userId.toString(),
    createInstances: row.createInstances as string[],
    tags,
  };
}

export interface ConvergedReport {
  present: number;
  deleted: number;
}

/**
 * The database's rows for `account` equal the emulator's truth: present images field by field and
 * tag by tag, every other row of the account deleted (with the last known tags when a ledger knows
 * them), and exactly one open version per present image, none for a deleted one.
 */
export async function expectConverged(db: Db, emu: EmulatorHandle, account: AccountView, ledger?: Ledger): Promise<ConvergedReport> {
  const truth = truthOf(emu, account);
  const rows = await db.select().from(customImages).where(eq(customImages.account, account.name));
  const tagRows = await db.select().from(customImageTags).where(eq(customImageTags.account, account.name));
  const tagsOf = new Map<string, string[]>();
  for (const t of tagRows) tagsOf.set(t.imageId, [...(tagsOf.get(t.imageId) ?? []), `${t.key}=${t.value}`]);

  const present = rows.filter((r) => r.deletedAt === null);
  const deleted = rows.filter((r) => r.deletedAt !== null);
  expect(present.map((r) => r.imageId).sort(), `present images of ${account.name}`).toEqual([...truth.keys()].sort());
  for (const row of present) {
    expect(rowView(row, (tagsOf.get(row.imageId) ?? []).sort()), `row ${account.name}/${row.imageId}`).toEqual(truth.get(row.imageId));
  }
  for (const row of deleted) {
    expect(truth.has(row.imageId), `deleted row ${row.imageId} is really gone`).toBe(false);
    const last = ledger?.known.get(row.imageId);
    if (last !== undefined) {
      expect(ledger?.gone.has(row.imageId), `${row.imageId} deleted in the ledger too`).toBe(true);
      expect(rowView(row, (tagsOf.get(row.imageId) ?? []).sort()), `deleted row ${row.imageId} keeps its last state`).toEqual(last);
    }
  }
  if (ledger !== undefined) {
    expect(deleted.map((r) => r.imageId).sort(), 'deleted rows are exactly the ledger\'s gone images').toEqual([...ledger.gone].sort());
  }

  const open = await db.select({ imageId: customImageVersions.imageId, hash: customImageVersions.contentHash })
    .from(customImageVersions).where(and(eq(customImageVersions.account, account.name), isNull(customImageVersions.validTo)));
  expect(open.map((v) => v.imageId).sort(), 'one open version per present image, none for deleted ones').toEqual([...truth.keys()].sort());
  const hashOf = new Map(present.map((r) => [r.imageId, r.contentHash]));
  for (const v of open) expect(v.hash, `open version of ${v.imageId} is the current row`).toBe(hashOf.get(v.imageId));
  return { present: present.length, deleted: deleted.length };
}

export interface EventLogReport {
  expected: number;
  actual: number;
  /** Expected events the log does not have. */
  lost: number;
  /** Events the log has that nothing justifies (duplicates, inventions). */
  extra: number;
  /** `deleted` events for images the truth still had. */
  falseDeletions: number;
}

const key = (e: ExpectedEvent): string => `${e.imageId}|${e.kind}|${e.oldStatus ?? '-'}|${e.newStatus ?? '-'}`;

/** Highest event id so far: the mark a scenario compares its events from. */
export async function lastEventId(db: Db): Promise<number> {
  const rows = await db.select({ id: imageEvents.id }).from(imageEvents).orderBy(asc(imageEvents.id));
  return rows.at(-1)?.id ?? 0;
}

/**
 * The account's events after `sinceId` are exactly `expected` (a multiset: order between images is
 * the sync's business). `still` is the truth after the scenario: a `deleted` event for an image in
 * it counts as a false deletion. Counts go to `stats` before the assertion can throw.
 */
export async function expectEventLog(
  db: Db, account: AccountView, sinceId: number, expected: readonly ExpectedEvent[], still: Snapshot, stats?: EventLogReport[],
): Promise<EventLogReport> {
  const rows = await db.select().from(imageEvents)
    .where(and(eq(imageEvents.account, account.name), gt(imageEvents.id, sinceId))).orderBy(asc(imageEvents.id));
  const actual: ExpectedEvent[] = rows.map((r) => ({ imageId: r.imageId, kind: r.kind as EventKind, oldStatus: r.oldStatus, newStatus: r.newStatus }));
  const pending = new Map<string, number>();
  for (const e of expected) pending.set(key(e), (pending.get(key(e)) ?? 0) + 1);
  let extra = 0;
  let falseDeletions = 0;
  for (const e of actual) {
    const n = pending.get(key(e)) ?? 0;
    if (n > 0) pending.set(key(e), n - 1);
    else extra += 1;
    if (e.kind === 'deleted' && still.has(e.imageId)) falseDeletions += 1;
  }
  const lost = [...pending.values()].reduce((a, b) => a + b, 0);
  const report = { expected: expected.length, actual: actual.length, lost, extra, falseDeletions };
  stats?.push(report);
  const sort = (list: readonly ExpectedEvent[]) => list.map(key).sort();
  expect(sort(actual), `events of ${account.name} since #${sinceId}`).toEqual(sort(expected));
  await expectLogReplays(db, account);
  return report;
}

/**
 * The whole log of the account, replayed per image as a state machine, must be legal (created
 * first and once, deleted only while present, restored only while deleted, status transitions
 * chained old -> new) and end where the rows are (present or deleted, and the status).
 */
export async function expectLogReplays(db: Db, account: AccountView): Promise<void> {
  const rows = await db.select().from(imageEvents).where(eq(imageEvents.account, account.name)).orderBy(asc(imageEvents.id));
  const state = new Map<string, { present: boolean; status: number | null }>();
  const problems: string[] = [];
  for (const e of rows) {
    const s = state.get(e.imageId);
    const say = (p: string) => problems.push(`#${e.id} ${e.imageId} ${e.kind}: ${p}`);
    switch (e.kind) {
      case 'created':
        if (s !== undefined) say('created twice');
        state.set(e.imageId, { present: true, status: e.newStatus });
        break;
      case 'deleted':
        if (s === undefined || !s.present) say('deleted while not present');
        else if (s.status !== e.oldStatus) say(`old status ${e.oldStatus} but it was ${s.status}`);
        state.set(e.imageId, { present: false, status: s?.status ?? null });
        break;
      case 'restored':
        if (s === undefined || s.present) say('restored while not deleted');
        state.set(e.imageId, { present: true, status: e.newStatus });
        break;
      case 'status_changed':
        if (s === undefined || !s.present) say('status change of an absent image');
        else if (s.status !== e.oldStatus) say(`old status ${e.oldStatus} but it was ${s.status}`);
        if (e.oldStatus === e.newStatus) say('status did not change');
        state.set(e.imageId, { present: true, status: e.newStatus });
        break;
      default:
        if (s === undefined || !s.present) say('change of an absent image');
        else if (s.status !== e.newStatus) say(`status ${e.newStatus} but it was ${s.status}`);
    }
  }
  const images = await db.select().from(customImages).where(eq(customImages.account, account.name));
  for (const img of images) {
    const s = state.get(img.imageId);
    if (s === undefined) problems.push(`${img.imageId}: a row with no events`);
    else if (s.present !== (img.deletedAt === null) || (s.present && s.status !== img.status)) {
      problems.push(`${img.imageId}: the log ends ${s.present ? `present (${s.status})` : 'deleted'} but the row is ${img.deletedAt === null ? `present (${img.status})` : 'deleted'}`);
    }
  }
  expect(problems, `event log of ${account.name} replays to the rows`).toEqual([]);
}

/**
 * While faults are on: whatever the account's log gained since `mark` must be PART of what the
 * truth implies (a failed region may not have written yet, but nothing may be false, doubled or
 * invented). Unjustified events are counted into `stats` (false deletions apart) before the assertion.
 */
export async function expectEventsTrueSoFar(
  db: Db, emu: EmulatorHandle, account: AccountView, ledger: Ledger, mark: number, stats?: EventLogReport[],
): Promise<void> {
  const truth = truthOf(emu, account);
  const allowed = new Map<string, number>();
  for (const e of ledger.preview(truth)) allowed.set(key(e), (allowed.get(key(e)) ?? 0) + 1);
  const rows = await db.select().from(imageEvents)
    .where(and(eq(imageEvents.account, account.name), gt(imageEvents.id, mark))).orderBy(asc(imageEvents.id));
  const unjustified: string[] = [];
  for (const r of rows) {
    const k = key({ imageId: r.imageId, kind: r.kind as EventKind, oldStatus: r.oldStatus, newStatus: r.newStatus });
    const n = allowed.get(k) ?? 0;
    if (n > 0) allowed.set(k, n - 1);
    else unjustified.push(k);
  }
  // Counted before asserting: a `deleted` nothing justifies is a false deletion, the rest extra.
  const falseDeletions = unjustified.filter((k) => k.split('|')[1] === 'deleted').length;
  stats?.push({ expected: 0, actual: 0, lost: 0, extra: unjustified.length - falseDeletions, falseDeletions });
  expect(unjustified, `events of ${account.name} under faults that the truth does not justify`).toEqual([]);
  await expectLogReplays(db, account);
}

/** A checkpoint: converge, compare the events since `mark` with the ledger's, and return the next mark. */
export async function expectCheckpoint(
  db: Db, emu: EmulatorHandle, account: AccountView, ledger: Ledger, mark: number, stats?: EventLogReport[],
): Promise<number> {
  const truth = truthOf(emu, account);
  const expected = ledger.advance(truth);
  await expectEventLog(db, account, mark, expected, truth, stats);
  await expectConverged(db, emu, account, ledger);
  return lastEventId(db);
}
