/**
 * The words every layer shares: image status codes and their labels, the kinds of change an
 * event records, and an image tag. The bottom layer: it imports nothing, and anything in src/
 * (the emulator aside) may import it, so each word is defined exactly once.
 */

/** Status codes of ListCustomImages. Unknown codes are kept as numbers, never dropped. */
export const STATUS_LABELS: Readonly<Record<number, string>> = {
  0: 'copying',
  1: 'available',
  2: 'unavailable',
  3: 'creation_failed',
  4: 'creating',
};

/** Label -> code (`creation_failed` -> 3): the names filters and subscriptions accept. */
export const STATUS_CODES: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(STATUS_LABELS).map(([code, label]) => [label, Number(code)]));

/** The kinds of change the history records, in the order reports and counts list them. */
export const EVENT_KINDS = ['created', 'updated', 'status_changed', 'tags_changed', 'deleted', 'restored'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface ImageTag {
  key: string;
  value: string;
}
