/**
 * The durable cursor of a subscription over image_events, and the scan that moves it.
 *
 * Why not "id > last id": ids come from a sequence, taken when a row is inserted, long before its
 * transaction commits. Two region transactions can commit out of id order (A takes 10, B takes 11,
 * B commits first): a reader that saw 11 and moved its cursor past it would never see 10. So the
 * cursor is over (commit_xid, id), where commit_xid is the writing transaction's id (a column
 * default: no extra statement in the region transaction), and a scan only reads events whose
 * transaction is older than the oldest transaction still running, `pg_snapshot_xmin` of the scan's
 * own snapshot. Every transaction below that horizon has committed or aborted, so the set of
 * events below it can no longer change, and the cursor never passes an event that could still
 * appear. The price: a long region transaction holds back delivery of events committed after it
 * started (for as long as it runs), never loses them.
 *
 * The xmin horizon is cluster-wide: a long transaction in ANOTHER database of the same server
 * would hold our delivery back too. So the horizon is the oldest in-progress transaction of the
 * snapshot that is not known to belong to another database (pg_stat_activity.backend_xid; a
 * backend's transaction never changes database), else the snapshot's xmax. A transaction we
 * cannot place (already finished, prepared, or hidden from a role without pg_read_all_stats)
 * counts as ours: only slower, never unsafe.
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../db/database.js';
import type { NotifiableEvent } from './notifiable-event.js';

const HORIZON = sql`h as (
  select coalesce(
    (select min(x) from pg_snapshot_xip(s.snap) as x
      where not exists (select 1 from pg_stat_activity a where a.backend_xid = x::xid and a.datname is distinct from current_database())),
    pg_snapshot_xmax(s.snap)) as horizon
  from (select pg_current_snapshot() as snap) s)`;

/** A new subscription starts at the current horizon: it gets what is recorded from now on (replay for the past). */
export async function ensureCursor(db: Db, subscription: string): Promise<void> {
  await db.execute(sql`with ${HORIZON} insert into swas.notification_cursors (subscription, last_xid, last_event_id)
    select ${subscription}, h.horizon, 0 from h on conflict (subscription) do nothing`);
}

export interface StoredEventRow {
  id: string | number;
  sync_run_id: string;
  observed_at: Date | string;
  account: string;
  region_id: string;
  image_id: string;
  image_name: string | null;
  kind: string;
  old_status: number | null;
  new_status: number | null;
  changes: NotifiableEvent['changes'] | string;
}

type EventRow = StoredEventRow & { commit_xid: string; horizon: string; [k: string]: unknown };

export const toEvent = (r: StoredEventRow): NotifiableEvent => ({
  id: Number(r.id),
  runId: r.sync_run_id,
  observedAt: r.observed_at instanceof Date ? r.observed_at : new Date(r.observed_at),
  account: r.account,
  regionId: r.region_id,
  imageId: r.image_id,
  imageName: r.image_name,
  kind: r.kind,
  oldStatus: r.old_status,
  newStatus: r.new_status,
  changes: typeof r.changes === 'string' ? JSON.parse(r.changes) as NotifiableEvent['changes'] : r.changes,
});

export const EVENT_COLUMNS = sql`e.id, e.sync_run_id, e.observed_at, e.account, e.region_id, e.image_id, ci.name as image_name,
  e.kind, e.old_status, e.new_status, e.changes`;

/** A place in commit order: after every event of transactions below `xid`, and `xid`'s own up to `id`. */
export interface EventPosition {
  xid: string;
  id: number;
}

/** The current horizon as a position: where a reader that wants "from now on" starts. */
export async function currentPosition(db: Db): Promise<EventPosition> {
  const [row] = await queryRows<{ horizon: string }>(db, sql`with ${HORIZON} select h.horizon::text as horizon from h`);
  if (!row) throw new Error('horizon query returned nothing');
  return { xid: row.horizon, id: 0 };
}

export interface CommittedPage {
  /** In commit order ((commit_xid, id)). */
  events: NotifiableEvent[];
  /** Where the next read starts; never before `after`. */
  next: EventPosition;
  /** A full page: read again at once. */
  more: boolean;
}

/**
 * The events after `after` whose transactions are below the horizon (at most `limit`), and the
 * position after them: the one read that every follower of the log shares (a subscription's scan,
 * `history --follow`), so none of them can pass an event still to commit.
 */
export async function readCommitted(db: Db, after: EventPosition, limit = 2000): Promise<CommittedPage> {
  // One statement, one snapshot: the horizon and the rows below it are read together.
  const rows = await queryRows<EventRow>(db, sql`
    with ${HORIZON}
    select ${EVENT_COLUMNS}, e.commit_xid::text as commit_xid, h.horizon::text as horizon
    from h
    ${afterPosition(sql.raw('swas.image_events'), after, limit)}
    left join swas.custom_images ci on ci.account = e.account and ci.image_id = e.image_id
    order by e.commit_xid, e.id`);
  const page = pageOf(rows, after, limit);
  return { events: page.found.map(toEvent), next: page.next, more: page.more };
}

/**
 * The same read as readCommitted, ids only, through the view swas.event_commit_order (migration
 * 0008) that the read-only role may read: `history --follow` needs the order, and reads each
 * event's content through image_history like `history` does.
 */
export async function readCommittedIds(db: Db, after: EventPosition, limit = 2000): Promise<{ ids: number[]; next: EventPosition; more: boolean }> {
  const rows = await queryRows<{ id: string | number | null; commit_xid: string; horizon: string }>(db, sql`
    with ${HORIZON}
    select e.id, e.commit_xid::text as commit_xid, h.horizon::text as horizon
    from h
    ${afterPosition(sql.raw('swas.event_commit_order'), after, limit)}
    order by e.commit_xid, e.id`);
  const page = pageOf(rows, after, limit);
  return { ids: page.found.map((r) => Number(r.id)), next: page.next, more: page.more };
}

/** The next `limit` rows of `source` (image_events or its order view) after `after`, below the horizon `h`, as `e`. */
function afterPosition(source: SQL, after: EventPosition, limit: number): SQL {
  return sql`left join lateral (
      select * from ${source} e
      where (e.commit_xid, e.id) > (${after.xid}::xid8, ${after.id}::bigint)
        and e.commit_xid < h.horizon
      order by e.commit_xid, e.id
      limit ${limit}
    ) e on true`;
}

/** The rows of one read below the horizon, and where the next read starts. */
function pageOf<R extends { id: string | number | null; commit_xid: string; horizon: string }>(rows: R[], after: EventPosition, limit: number) {
  const horizon = rows[0]?.horizon;
  const found = rows.filter((r) => r.id !== null);
  const last = found.at(-1);
  const more = found.length >= limit;
  // A full page: continue after its last row. A short one: everything below the horizon is read.
  const next = more && last ? { xid: last.commit_xid, id: Number(last.id) } : horizon !== undefined ? { xid: horizon, id: 0 } : after;
  return { found, next: laterOf(after, next), more };
}

/** xid8 values as decimal text: compared as numbers (BigInt), never as strings. */
function laterOf(a: EventPosition, b: EventPosition): EventPosition {
  const [xa, xb] = [BigInt(a.xid), BigInt(b.xid)];
  return xb > xa || (xb === xa && b.id > a.id) ? b : a;
}

/**
 * Reads the events after the cursor and below the horizon (readCommitted), lets `accept` pick
 * the ones the subscription wants, queues those as deliveries and moves the cursor, all in one
 * transaction (the cursor row is locked: two scanners of one subscription take turns).
 * Returns how many events were read and queued; call again while `more` is true.
 */
export async function scanSubscription(
  db: Db,
  subscription: string,
  accept: (event: NotifiableEvent) => boolean,
  limit = 2000,
): Promise<{ read: number; queued: number; more: boolean }> {
  return db.transaction(async (tx) => {
    const [cursor] = await queryRows<{ last_xid: string; last_event_id: string | number }>(tx,
      sql`select last_xid::text as last_xid, last_event_id from swas.notification_cursors where subscription = ${subscription} for update`);
    if (!cursor) throw new Error(`subscription ${subscription} has no cursor (ensureCursor first)`);
    const page = await readCommitted(tx, { xid: cursor.last_xid, id: Number(cursor.last_event_id) }, limit);
    const wanted = page.events.filter(accept);
    if (wanted.length > 0) {
      await tx.execute(sql`insert into swas.notification_deliveries (subscription, event_id, account, image_id)
        select ${subscription}, d.event_id, d.account, d.image_id
        from jsonb_to_recordset(${JSON.stringify(wanted.map((e) => ({ event_id: e.id, account: e.account, image_id: e.imageId })))}::jsonb)
          as d(event_id bigint, account text, image_id text)
        on conflict (subscription, event_id) do nothing`);
    }
    const { xid, id } = page.next;
    await tx.execute(sql`update swas.notification_cursors
      set last_xid = ${xid}::xid8, last_event_id = ${id}, updated_at = now()
      where subscription = ${subscription} and (last_xid, last_event_id) < (${xid}::xid8, ${id}::bigint)`);
    return { read: page.events.length, queued: wanted.length, more: page.more };
  });
}
