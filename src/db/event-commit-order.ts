/**
 * Reading image_events in commit order, the one read every follower of the log shares (a
 * subscription's scan in src/notify/scan-events.ts, `history --follow` in src/reports).
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
import { queryRows, type Db } from './database.js';

/** The horizon `h`: the oldest transaction of this database still running (see above). */
export const HORIZON = sql`h as (
  select coalesce(
    (select min(x) from pg_snapshot_xip(s.snap) as x
      where not exists (select 1 from pg_stat_activity a where a.backend_xid = x::xid and a.datname is distinct from current_database())),
    pg_snapshot_xmax(s.snap)) as horizon
  from (select pg_current_snapshot() as snap) s)`;

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

/**
 * The commit-order read of src/notify/scan-events.ts's readCommitted, ids only, through the view swas.event_commit_order (migration
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
export function afterPosition(source: SQL, after: EventPosition, limit: number): SQL {
  return sql`left join lateral (
      select * from ${source} e
      where (e.commit_xid, e.id) > (${after.xid}::xid8, ${after.id}::bigint)
        and e.commit_xid < h.horizon
      order by e.commit_xid, e.id
      limit ${limit}
    ) e on true`;
}

/** The rows of one read below the horizon, and where the next read starts. */
export function pageOf<R extends { id: string | number | null; commit_xid: string; horizon: string }>(rows: R[], after: EventPosition, limit: number) {
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
