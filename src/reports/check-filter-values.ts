/**
 * Read-side filters that name something the database has never recorded (`images --region
 * cn-hangzou`, `--account prd`) are typos, not questions with an empty answer: they fail as one
 * line naming the closest known values (issue 22 #7). Known means a region with a recorded
 * outcome (swas.region_freshness: a listing was attempted, whatever came of it) and a status some
 * version ever had; a region only asked for by a mistyped `sync --region` is not known. A value
 * that has no recorded outcome but has images (rows written by another tool, or from before
 * region outcomes were kept) is known too: the filter has an answer, so it is not refused.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/database.js';
import { closestNamesHint } from '../domain/closest-names.js';
import { UnknownFilterValueError } from '../domain/errors.js';
import { STATUS_LABELS } from '../domain/vocabulary.js';

export interface FilterValues {
  accounts?: readonly string[] | undefined;
  regions?: readonly string[] | undefined;
  statuses?: readonly number[] | undefined;
}

/** Throws UnknownFilterValueError naming every unknown value; nothing when every value is known or none is given. */
export async function assertKnownFilterValues(db: Db, filters: FilterValues): Promise<void> {
  const problems: string[] = [];
  if ((filters.accounts?.length ?? 0) > 0 || (filters.regions?.length ?? 0) > 0) {
    const scopes = await queryRows<{ account: string; regionId: string }>(db,
      sql`select distinct account as "account", region_id as "regionId" from swas.region_freshness`);
    // Nothing synced yet: every filter matches nothing, and the commands already say so.
    if (scopes.length === 0) return;
    problems.push(...await unknown(db, 'account', filters.accounts, scopes.map((s) => s.account)));
    problems.push(...await unknown(db, 'region', filters.regions, scopes.map((s) => s.regionId)));
  }
  // A label is checked when parsed; a code outside the vocabulary must have been stored at least once.
  const odd = (filters.statuses ?? []).filter((code) => STATUS_LABELS[code] === undefined);
  if (odd.length > 0) {
    const seen = await queryRows<{ status: number }>(db, sql`select distinct status as "status" from swas.image_versions`);
    const known = [...new Set([...Object.keys(STATUS_LABELS).map(Number), ...seen.map((s) => Number(s.status))])].sort((a, b) => a - b);
    for (const code of odd) {
      if (!known.includes(code)) problems.push(`unknown status code ${code}: no image has ever had it (known: ${known.join(', ')})`);
    }
  }
  if (problems.length > 0) throw new UnknownFilterValueError(problems.join('; '));
}

async function unknown(db: Db, what: 'account' | 'region', asked: readonly string[] | undefined, known: readonly string[]): Promise<string[]> {
  const set = new Set(known);
  const problems: string[] = [];
  for (const v of new Set(asked ?? [])) {
    if (set.has(v) || await hasImages(db, what, v)) continue;
    problems.push(`unknown ${what} '${v}': the database has never recorded it (${closestNamesHint(v, known)})`);
  }
  return problems;
}

/** Only asked for a value with no recorded outcome (the typo path), so its cost is off the common path. */
async function hasImages(db: Db, what: 'account' | 'region', value: string): Promise<boolean> {
  const rows = await queryRows<{ one: number }>(db, what === 'account'
    ? sql`select 1 as "one" from swas.images_all where account = ${value} limit 1`
    : sql`select 1 as "one" from swas.images_all where region_id = ${value} limit 1`);
  return rows.length > 0;
}
