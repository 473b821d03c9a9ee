/**
 * `--as-of` before the first sync asks about a time the inventory was not yet known, so an empty
 * answer there would read as "there were no images" (issue 22 #8). History starts at the earliest
 * version recorded or the first run that synced a region (a first sync may have found nothing),
 * whichever is earlier; an as-of before it fails with the resolved time and that start, exit 2.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/database.js';
import { UsageError } from '../domain/errors.js';
import { isoText } from './sql/fragments.js';

/** When the recorded history starts; null when nothing was synced yet. */
export async function historyStart(db: Db): Promise<Date | null> {
  const [row] = await queryRows<{ start: string | null }>(db, sql`select ${isoText(sql`least(
    (select min(valid_from) from swas.image_versions),
    (select min(finished_at) from swas.runs where regions_succeeded + regions_incomplete > 0))`)} as "start"`);
  return row?.start ? new Date(row.start) : null;
}

/** Throws a UsageError when `asOf` is before the history starts; nothing synced yet passes (the answer is empty). */
export async function assertAsOfInHistory(db: Db, flag: string, asOf: Date): Promise<void> {
  const start = await historyStart(db);
  if (start !== null && asOf.getTime() < start.getTime()) {
    throw new UsageError(`${flag} ${asOf.toISOString()} is before the history starts (the first sync, ${start.toISOString()}): ` +
      'the inventory is only known from then');
  }
}
