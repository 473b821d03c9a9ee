/**
 * The durable cursor of a subscription over image_events, and the scan that moves it, in commit
 * order: why, and the horizon below which the set of events can no longer change, are in
 * src/db/event-commit-order.ts.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/database.js';
import { HORIZON, afterPosition, pageOf, type EventPosition } from '../db/event-commit-order.js';
import type { NotifiableEvent } from './notifiable-event.js';

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
