/** How one value reads in a table cell and in a CSV field. */

/** For people: lists as `a, b`, string maps (tags) as `k=v, k2=v2`. */
export function tableText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => tableText(v)).join(', ');
  if (isStringMap(value)) {
    return Object.keys(value).sort().map((k) => `${k}=${value[k]}`).join(', ');
  }
  return JSON.stringify(value);
}

/** For scripts: scalars as themselves, lists and objects as JSON so they survive a round trip. */
export function csvText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

function isStringMap(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null &&
    Object.values(value as Record<string, unknown>).every((v) => typeof v === 'string');
}
