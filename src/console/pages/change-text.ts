/**
 * An event's `changes` (`{field: {old, new}}`) for people: one line per field, `name: "web" ->
 * "web-v2"`, and for tags what was added, removed and changed rather than two whole lists.
 */
import { html, type Html } from '../html.js';

interface Tag {
  key: string;
  value: string;
}

const isTag = (v: unknown): v is Tag => typeof v === 'object' && v !== null && 'key' in v && 'value' in v;

export interface TagDelta {
  added: Tag[];
  removed: Tag[];
  changed: Array<{ key: string; old: string; new: string }>;
}

/** Tags before and after as added / removed / changed (by key). Pure. */
export function tagDelta(before: unknown, after: unknown): TagDelta {
  const list = (v: unknown): Tag[] => (Array.isArray(v) ? v.filter(isTag) : []);
  const old = new Map(list(before).map((t) => [t.key, t.value]));
  const now = new Map(list(after).map((t) => [t.key, t.value]));
  return {
    added: [...now].filter(([k]) => !old.has(k)).map(([key, value]) => ({ key, value })),
    removed: [...old].filter(([k]) => !now.has(k)).map(([key, value]) => ({ key, value })),
    changed: [...now].filter(([k, v]) => old.has(k) && old.get(k) !== v).map(([key, value]) => ({ key, old: old.get(key) as string, new: value })),
  };
}

export function describeChange(changes: unknown): Html {
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) return html``;
  const fields = Object.keys(changes).filter((f) => f !== 'status').sort();
  if (fields.length === 0) return html``;
  return html`<ul class="changes">${fields.map((field) => {
    const change = (changes as Record<string, { old?: unknown; new?: unknown } | null>)[field];
    if (field === 'tags') {
      const d = tagDelta(change?.old, change?.new);
      return html`<li><span class="chg-field">tags</span>: ${[
        ...d.added.map((t) => html`<ins>+ ${t.key}=${t.value}</ins> `),
        ...d.removed.map((t) => html`<del>− ${t.key}=${t.value}</del> `),
        ...d.changed.map((t) => html`<span class="chg">${t.key}: ${t.old} → ${t.new}</span> `),
      ]}</li>`;
    }
    return html`<li><span class="chg-field">${field}</span>: <del>${show(change?.old)}</del> → <ins>${show(change?.new)}</ins></li>`;
  })}</ul>`;
}

export function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value) && value.every(isTag)) return value.length === 0 ? '(none)' : value.map((t) => `${t.key}=${t.value}`).join(', ');
  return JSON.stringify(value);
}
