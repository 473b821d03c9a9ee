/**
 * `history --follow`: the change log as syncs commit it. Polling, not LISTEN/NOTIFY: a NOTIFY
 * would have to be sent by the region transaction (src/sync), and a missed notification (a
 * reconnect) would still need a poll to catch up; a poll every second over the same commit-order
 * watermark as the notifier (readCommitted in src/notify/scan-events.ts) is simpler and cannot
 * skip. It starts at the horizon (changes committed from now on) and only ever reads below it, so
 * an event whose transaction commits after a later id's is printed when it commits, not lost.
 */
import type { Db } from '../db/database.js';
import { currentPosition, readCommittedIds, type EventPosition } from '../db/event-commit-order.js';
import type { Row } from './format/columns.js';
import { listHistory } from './run-reports.js';
import type { HistoryQueryOptions } from './sql/history-query.js';

export { currentPosition, type EventPosition };

export type FollowFilters = Pick<HistoryQueryOptions, 'imageIds' | 'accounts' | 'regions' | 'kinds'>;

export interface FollowOptions {
  filters: FollowFilters;
  /** Pause between polls that found nothing more. */
  intervalMs: number;
  /** Ends the loop (SIGINT); a poll in flight finishes first. */
  signal: AbortSignal;
  /** Rows in commit order, each in the `history` row shape. */
  onRows: (rows: Row[]) => void | Promise<void>;
  onStart?: (at: EventPosition) => void;
  onPoll?: (at: EventPosition, events: number) => void;
  /** Events read per poll at most (a backlog takes several polls in a row, without pauses). */
  pageSize?: number;
}

export async function followHistory(db: Db, options: FollowOptions): Promise<void> {
  let position = await currentPosition(db);
  options.onStart?.(position);
  while (!options.signal.aborted) {
    const page = await readFollowPage(db, position, options.filters, options.pageSize ?? 500);
    options.onPoll?.(page.next, page.events);
    if (page.rows.length > 0) await options.onRows(page.rows);
    position = page.next;
    if (!page.more) await pause(options.intervalMs, options.signal);
  }
}

export interface FollowPage {
  /** The matching events, in the `history` row shape, in commit order. */
  rows: Row[];
  /** Events read (matching or not). */
  events: number;
  next: EventPosition;
  /** A full page: read again at once. */
  more: boolean;
}

/**
 * One poll of a follower: the events committed after `position` (below the horizon), filtered
 * and shaped as `history` rows. `history --follow` and the console's change stream both read
 * through this, so neither can skip a transaction that commits out of id order.
 */
export async function readFollowPage(db: Db, position: EventPosition, filters: FollowFilters, pageSize = 500): Promise<FollowPage> {
  // Ids in commit order from the view the read-only role may read too (migration 0008).
  const page = await readCommittedIds(db, position, pageSize);
  let rows: Row[] = [];
  if (page.ids.length > 0) {
    // The filters and the row shape are history's own (the same views and query).
    rows = await listHistory(db, { ...filters, eventIds: page.ids, oldestFirst: true });
    const order = new Map(page.ids.map((id, i) => [String(id), i]));
    rows.sort((a, b) => (order.get(String(a.eventId)) ?? 0) - (order.get(String(b.eventId)) ?? 0));
  }
  return { rows, events: page.ids.length, next: page.next, more: page.more };
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
