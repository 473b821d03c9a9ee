/** Pretty JSON with a trailing newline: stable for diffs, still one `jq` away from anything. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`;
}
