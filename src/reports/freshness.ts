/**
 * "Is my inventory fresh?": a region is stale when its last complete listing is older than twice
 * the schedule's interval (one missed run is tolerated, two are not), or when it never had one.
 * Pure: `now`, the schedule and the rows are arguments.
 */
import { createRequire } from 'node:module';
import type { CronExpressionParser as CronParser } from 'cron-parser';
import type { Row } from './format/columns.js';

export type Freshness = 'fresh' | 'stale' | 'never_complete';

/**
 * The longest gap between consecutive runs of a cron schedule around `now` (a weekday-only
 * schedule has a 72 h gap over the weekend: the threshold must not flag every Monday morning).
 */
export function scheduleIntervalMs(cron: string, tz: string, now: Date): number {
  // Gaps between the next runs only: now may itself be a run time, which would join two gaps.
  // Loaded on first use: every command imports the program, only `status` reads a schedule.
  const { CronExpressionParser } = createRequire(import.meta.url)('cron-parser') as { CronExpressionParser: typeof CronParser };
  const times = CronExpressionParser.parse(cron, { currentDate: now, tz }).take(17).map((d) => d.getTime());
  let longest = 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, (times[i] as number) - (times[i - 1] as number));
  return longest;
}

/** Adds `freshness`, `stale`, `ageSeconds` and `staleAfterSeconds` to each region_states row. */
export function assessFreshness(rows: readonly Row[], now: Date, staleAfterMs: number): Row[] {
  return rows.map((row) => {
    const at = typeof row.lastCompleteListingAt === 'string' ? Date.parse(row.lastCompleteListingAt) : NaN;
    const ageMs = Number.isNaN(at) ? null : Math.max(0, now.getTime() - at);
    const freshness: Freshness = ageMs === null ? 'never_complete' : ageMs > staleAfterMs ? 'stale' : 'fresh';
    return {
      ...row,
      freshness,
      stale: freshness !== 'fresh',
      ageSeconds: ageMs === null ? null : Math.floor(ageMs / 1000),
      staleAfterSeconds: Math.floor(staleAfterMs / 1000),
    };
  });
}
