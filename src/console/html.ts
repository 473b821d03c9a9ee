/**
 * HTML built by tagged templates that escape every interpolated value: names, descriptions, tag
 * keys and values come from the cloud (anyone who can create an image can name it
 * `<img src=x onerror=...>`), so text is escaped unless it is already `Html` made here.
 */

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

/** A value as HTML: Html as is, arrays joined, null/undefined/false as nothing, the rest escaped text. */
function render(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new Html(out);
}

/**
 * JSON for a `<script type="application/json">` data block (never executed): `<` is written as
 * `\u003c` so no value can close the element, whatever it contains.
 */
export function jsonData(value: unknown): Html {
  return new Html(JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029'));
}

/** A query string from pairs (repeated keys kept), values percent-encoded; empty values left out. */
export function queryString(pairs: ReadonlyArray<readonly [string, string | number | undefined]>): string {
  const params = new URLSearchParams();
  for (const [key, value] of pairs) if (value !== undefined && value !== '') params.append(key, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
