/**
 * An event's `changes` (`{field: {old, new}}`) as short lines for a table:
 * `name: "web" -> "web-v2"`, `tags: env=dev -> env=prod, team=a`.
 */
export function describeChanges(changes: unknown): string {
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) return '';
  return Object.keys(changes).sort().map((field) => {
    const change = (changes as Record<string, unknown>)[field];
    if (typeof change !== 'object' || change === null) return `${field}: ${describeValue(change)}`;
    const { old: before, new: after } = change as { old?: unknown; new?: unknown };
    return `${field}: ${describeValue(before)} -> ${describeValue(after)}`;
  }).join('\n');
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value) && value.every(isTag)) {
    return value.length === 0 ? '(none)' : value.map((t) => `${t.key}=${t.value}`).join(', ');
  }
  return JSON.stringify(value);
}

function isTag(value: unknown): value is { key: string; value: string } {
  return typeof value === 'object' && value !== null && 'key' in value && 'value' in value;
}
