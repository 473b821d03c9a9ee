/**
 * Per subscription, how far behind delivery is: what `notifications status` prints and the
 * lag/dead gauges export. Read-only.
 * - lagEvents: events not yet delivered = events past the cursor (not yet matched, an upper
 *   bound) + deliveries still pending;
 * - lagSeconds: age of the oldest of those (0 when none);
 * - failing: pending deliveries that have failed at least once; dead: recorded dead.
 * It reads the views of migration 0011, never the base tables, so a swas_reader login (the console's)
 * may ask it.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/database.js';

export interface NotificationStatus {
  subscription: string;
  /** False when no cursor exists yet (never started: the worker or `sync --notify` creates it). */
  started: boolean;
  unscanned: number;
  pending: number;
  lagEvents: number;
  lagSeconds: number;
  failing: number;
  dead: number;
  delivered: number;
  lastDeliveredAt: Date | null;
  /** The most recent failure reason among pending or dead deliveries (HTTP status or error code). */
  lastError: string | null;
}

interface Row extends Record<string, unknown> {
  started: boolean;
  unscanned: string | number;
  unscanned_oldest: Date | string | null;
  pending: string | number;
  pending_oldest: Date | string | null;
  failing: string | number;
  dead: string | number;
  delivered: string | number;
  last_delivered_at: Date | string | null;
  last_error: string | null;
  now: Date | string;
}

const date = (v: Date | string | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));

export async function notificationStatus(db: Db, subscription: string): Promise<NotificationStatus> {
  const [r] = await queryRows<Row>(db, sql`
    with c as (select last_xid, last_event_id from swas.notification_cursor_state where subscription = ${subscription}),
    u as (
      select count(*) as n, min(e.observed_at) as oldest from swas.event_commit_order e, c
      where (e.commit_xid, e.id) > (c.last_xid, c.last_event_id)
    ),
    d as (
      select
        count(*) filter (where state = 'pending') as pending,
        count(*) filter (where state = 'pending' and attempts > 0) as failing,
        count(*) filter (where state = 'dead') as dead,
        count(*) filter (where state = 'delivered') as delivered,
        max(delivered_at) as last_delivered_at
      from swas.notification_delivery_state where subscription = ${subscription}
    )
    select exists (select 1 from c) as started, u.n as unscanned, u.oldest as unscanned_oldest,
      d.pending, d.failing, d.dead, d.delivered, d.last_delivered_at,
      (select min(e.observed_at) from swas.notification_delivery_state nd join swas.event_commit_order e on e.id = nd.event_id
        where nd.subscription = ${subscription} and nd.state = 'pending') as pending_oldest,
      (select last_error from swas.notification_delivery_state
        where subscription = ${subscription} and state <> 'delivered' and last_error is not null
        order by next_attempt_at desc limit 1) as last_error,
      now() as now
    from u, d`);
  if (!r) throw new Error('status query returned nothing');
  const oldest = [date(r.unscanned_oldest), date(r.pending_oldest)].filter((d): d is Date => d !== null);
  const now = date(r.now) ?? new Date();
  const lagSeconds = oldest.length === 0 ? 0 : Math.max(0, (now.getTime() - Math.min(...oldest.map((d) => d.getTime()))) / 1000);
  const unscanned = Number(r.unscanned);
  const pending = Number(r.pending);
  return {
    subscription, started: r.started, unscanned, pending, lagEvents: unscanned + pending, lagSeconds,
    failing: Number(r.failing), dead: Number(r.dead), delivered: Number(r.delivered),
    lastDeliveredAt: date(r.last_delivered_at), lastError: r.last_error,
  };
}
