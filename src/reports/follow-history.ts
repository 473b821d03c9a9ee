/**
 * `history --follow`: the change log as syncs commit it. Polling, not LISTEN/NOTIFY: a NOTIFY
 * would have to be sent by the region transaction (src/sync), and a missed notification (a
 * reconnect) would still need a poll to catch up; a poll every second over the same commit-order
 * watermark as the notifier (readCommitted in src/notify/scan-events.ts) is simpler and cannot
 * skip. It starts at the horizon (changes committed from now on) and only ever reads below it, so
 * an event whose transaction commits after a later id's is printed when it commits, not lost.
 */
import type { Db } from '../db/database.js';
import { currentPosition, readCommittedIds, type EventPosition } from '../notify/scan-events.js';
import type { Row } from './format/columns.js';
import { listHistory } from './run-reports.js';
import type { HistoryQueryOptions } from './sql/history-query.js';

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
    // Ids in commit order from the view the read-only role may read too (migration 0008).
    const page = await readCommittedIds(db, position, options.pageSize ?? 500);
    options.onPoll?.(page.next, page.ids.length);
    if (page.ids.length > 0) {
      const ids = page.ids;
      // The filters and the row shape are history's own (the same views and query).
      const rows = await listHistory(db, { ...options.filters, eventIds: ids, oldestFirst: true });
      const order = new Map(ids.map((id, i) => [String(id), i]));
      rows.sort((a, b) => (order.get(String(a.eventId)) ?? 0) - (order.get(String(b.eventId)) ?? 0));
      if (rows.length > 0) await options.onRows(rows);
    }
    position = page.next;
    if (!page.more) await pause(options.intervalMs, options.signal);
  }
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
