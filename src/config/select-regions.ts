/**
 * Which of the regions ListRegions returned an account syncs, and which regions were asked for
 * that do not exist. Pure. A region asked for by name (`--region`, SWAS_REGIONS, an account's
 * allow list) that ListRegions does not return is a configuration mistake (a typo, a region the
 * account cannot use): it is reported, never silently dropped, or a cron job would report green
 * for ever while syncing nothing.
 */
import { closestNamesHint } from '../domain/closest-names.js';
import { accountAllowsRegion, type Account } from './accounts.js';

export interface RegionFilters {
  /** `--region` of the CLI; empty = no restriction. */
  only?: readonly string[];
  /** SWAS_REGIONS; null = no restriction. */
  configured: readonly string[] | null;
}

export interface UnknownRegion {
  account: string;
  regionId: string;
  /** Who asked for it: `--region`, `SWAS_REGIONS` or `the allow list of account <name>`. */
  askedBy: string;
}

export function selectRegions<T extends { regionId: string }>(
  available: readonly T[],
  account: Account,
  filters: RegionFilters,
): { targets: T[]; unknown: UnknownRegion[] } {
  const exists = new Set(available.map((r) => r.regionId));
  const only = filters.only ?? [];
  const unknown: UnknownRegion[] = [];
  const asked: Array<[string, readonly string[]]> = [
    ['--region', only],
    ['SWAS_REGIONS', filters.configured ?? []],
    [`the allow list of account ${account.name}`, account.regions.allow ?? []],
  ];
  const reported = new Set<string>();
  for (const [askedBy, ids] of asked) {
    for (const regionId of ids) {
      if (exists.has(regionId) || reported.has(regionId)) continue;
      reported.add(regionId);
      unknown.push({ account: account.name, regionId, askedBy });
    }
  }
  const targets = available.filter((r) =>
    (only.length === 0 || only.includes(r.regionId))
    && (filters.configured === null || filters.configured.includes(r.regionId))
    && accountAllowsRegion(account, r.regionId));
  return { targets, unknown };
}

/** One line naming the unknown regions, who asked for them and what exists, for the run's error. */
export function describeUnknownRegions(unknown: readonly UnknownRegion[], availableIds: readonly string[] = []): string {
  const byAsker = new Map<string, string[]>();
  for (const u of unknown) {
    const key = `${u.askedBy} (account ${u.account})`;
    byAsker.set(key, [...(byAsker.get(key) ?? []).filter((id) => id !== u.regionId), u.regionId]);
  }
  const parts = [...byAsker].map(([who, ids]) => `${ids.join(', ')} asked for by ${who}`);
  const hint = availableIds.length > 0 ? `; ListRegions returns: ${availableIds.join(', ')}` : '';
  return `unknown region(s): ${parts.join('; ')}: ListRegions does not return them. Fix the region name(s)${hint}`;
}

/**
 * The one line `sync` prints for unknown regions (issue 22 #6): each name, who asked for it and
 * the closest names ListRegions returns, instead of every region ListRegions knows.
 */
export function describeUnknownRegionsBriefly(unknown: readonly UnknownRegion[], availableIds: readonly string[]): string {
  const seen = new Set<string>();
  const parts = unknown.filter((u) => !seen.has(u.regionId) && seen.add(u.regionId))
    .map((u) => `unknown region '${u.regionId}' (asked for by ${u.askedBy}): ListRegions does not return it (${closestNamesHint(u.regionId, availableIds)})`);
  return `${parts.join('; ')}; the run is recorded as failed`;
}
