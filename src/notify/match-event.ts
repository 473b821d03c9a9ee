/**
 * Whether an event passes a subscription's filters. Pure. Every filter given must match (AND);
 * the values inside one filter are alternatives (OR). A filter left out matches everything.
 */
import type { SubscriptionSpec } from '../config/subscriptions.js';
import type { NotifiableEvent } from './notifiable-event.js';

export type EventFilters = Pick<SubscriptionSpec, 'kinds' | 'transitions' | 'accounts' | 'regions' | 'tagKeys'>;

export function matchesEvent(filters: EventFilters, event: NotifiableEvent): boolean {
  if (filters.kinds && !(filters.kinds as readonly string[]).includes(event.kind)) return false;
  if (filters.accounts && !filters.accounts.includes(event.account)) return false;
  if (filters.regions && !filters.regions.includes(event.regionId)) return false;
  if (filters.transitions && !filters.transitions.some((t) => matchesTransition(t, event))) return false;
  if (filters.tagKeys && !matchesTagKeys(filters.tagKeys, event)) return false;
  return true;
}

/**
 * A transition is a status that really changed (created and deleted count, with no status on one
 * side); `*` (null) on either side matches anything there, including no status.
 */
function matchesTransition(t: { from: number | null; to: number | null }, e: NotifiableEvent): boolean {
  const before = e.kind === 'created' ? null : e.oldStatus;
  const after = e.kind === 'deleted' ? null : e.newStatus;
  if (before === after) return false;
  return (t.from === null || t.from === before) && (t.to === null || t.to === after);
}

/** tags_changed events where one of the keys appeared (absent before) or disappeared (absent after). */
function matchesTagKeys(filter: { appeared?: string[] | undefined; disappeared?: string[] | undefined }, e: NotifiableEvent): boolean {
  if (e.kind !== 'tags_changed') return false;
  const { appeared, disappeared } = tagKeyChanges(e);
  return (filter.appeared ?? []).some((k) => appeared.includes(k)) || (filter.disappeared ?? []).some((k) => disappeared.includes(k));
}

/** Keys present after but not before (appeared), and before but not after (disappeared). */
export function tagKeyChanges(e: NotifiableEvent): { appeared: string[]; disappeared: string[] } {
  const tags = e.changes.tags;
  const keys = (list: unknown): Set<string> =>
    new Set(Array.isArray(list) ? list.flatMap((t) => (typeof (t as { key?: unknown }).key === 'string' ? [(t as { key: string }).key] : [])) : []);
  const before = keys(tags?.old);
  const after = keys(tags?.new);
  return { appeared: [...after].filter((k) => !before.has(k)), disappeared: [...before].filter((k) => !after.has(k)) };
}
