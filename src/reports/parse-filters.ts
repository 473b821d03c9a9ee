/**
 * Validation of the reports' filter values, with messages that list what is accepted. Pure;
 * the CLI turns a thrown FilterError into a usage error (exit code 2).
 */
import { EVENT_KINDS, STATUS_LABELS, type EventKind, type ImageTag } from '../domain/vocabulary.js';

export class FilterError extends Error {
  override name = 'FilterError';
}

const LABEL_TO_CODE = new Map(Object.entries(STATUS_LABELS).map(([code, label]) => [label, Number(code)]));

/** The label of a status code; unknown codes stay visible as `unknown(N)` (same rule as SQL swas.status_label). */
export function statusLabel(code: number | null): string | null {
  if (code === null) return null;
  return STATUS_LABELS[code] ?? `unknown(${code})`;
}

/**
 * `available`, `creation-failed`, `2` or a comma list of them -> status codes. Numbers are
 * accepted because the sync stores unknown codes as they came.
 */
export function parseStatuses(input: string): number[] {
  return splitList(input).map((item) => {
    if (/^\d{1,4}$/.test(item)) return Number(item);
    const code = LABEL_TO_CODE.get(item.toLowerCase().replace(/[- ]/g, '_'));
    if (code === undefined) {
      throw new FilterError(`unknown status '${item}': expected one of ${[...LABEL_TO_CODE.keys()].join(', ')} or a numeric code`);
    }
    return code;
  });
}

/** `status_changed` (or `status-changed`) or a comma list -> event kinds. */
export function parseKinds(input: string): EventKind[] {
  return splitList(input).map((item) => {
    const kind = EVENT_KINDS.find((k) => k === item.toLowerCase().replace(/-/g, '_'));
    if (!kind) throw new FilterError(`unknown event kind '${item}': expected one of ${EVENT_KINDS.join(', ')}`);
    return kind;
  });
}

/** `key=value` (the value may contain `=` and may be empty). */
export function parseTag(input: string): ImageTag {
  const at = input.indexOf('=');
  if (at <= 0) throw new FilterError(`bad tag filter '${input}': expected key=value`);
  return { key: input.slice(0, at), value: input.slice(at + 1) };
}

export function parsePositiveInt(input: string, what: string): number {
  if (!/^\d{1,9}$/.test(input.trim()) || Number(input) < 1) {
    throw new FilterError(`bad ${what} '${input}': expected a whole number of at least 1`);
  }
  return Number(input);
}

/** A run id as `runs` and `sync` print it (a UUID), checked before it reaches SQL. */
export function parseRunId(input: string): string {
  const id = input.trim().toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
    throw new FilterError(`bad run id '${input}': expected a run id as \`runs\` prints it (8-4-4-4-12 hex digits)`);
  }
  return id;
}

function splitList(input: string): string[] {
  const items = input.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (items.length === 0) throw new FilterError('empty value: expected at least one item');
  return items;
}
