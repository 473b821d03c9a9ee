/**
 * The digest of a listed item as Postgres will compute it for the stored row: SHA-256 of the
 * item's jsonb text (`raw::text`, migration 0007's swas.raw_digest), from the item as received,
 * cleaned the way the `raw` column stores it (cleanJson). The unchanged-region fast path sends
 * these (64 hex characters an item) instead of the items themselves (about 1.3 KB each).
 *
 * Why equal digests mean equal items: the text below is a faithful JSON serialization of the
 * cleaned item (parsing it gives the item back), and Postgres's jsonb text is a function of the
 * jsonb value. So if the two texts are equal the listed item, stored, would be the same jsonb as
 * the stored `raw` (short of a SHA-256 collision). A text that differs from Postgres's for an
 * equal value (a spacing or number format this file does not reproduce) only makes the fast path
 * answer "changed": the full path then runs and finds nothing to write. Never the other way round.
 *
 * jsonb's text (jsonb_out, unchanged since 9.4): object keys sorted by their UTF-8 length, then
 * bytewise, each once; `{"k": v, "k2": v2}` and `[a, b]` with one space after `:` and `,`;
 * strings escaped as JSON.stringify does for text that cleanText has passed (no NUL, no lone
 * surrogate); numbers as Postgres prints the numeric parsed from JSON.stringify's text, which is
 * the same text unless it has an exponent (written out in full here).
 */
import { createHash, hash } from 'node:crypto';
import { cleanJson, cleanText } from './normalize-image.js';

/**
 * The digest as lowercase hex, or null when the item holds something JSON text cannot carry
 * (a value no wire item has: undefined, a bigint, a function, an object with toJSON): the caller then
 * cannot decide "unchanged" from digests. Throws RangeError on nesting too deep to walk.
 */
export function rawDigest(item: unknown): string | null {
  const text = jsonbText(item);
  if (text === null) return null;
  // crypto.hash (Node 20.12+) is the one-shot form: several times cheaper than a Hash object for 1 KB.
  return typeof hash === 'function' ? hash('sha256', text, 'hex') : createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The text Postgres prints for the jsonb of the cleaned `value`, or null (see rawDigest). */
export function jsonbText(value: unknown): string | null {
  switch (typeof value) {
    case 'string': return stringText(value);
    case 'number': return Number.isFinite(value) ? numericText(value) : null;
    case 'boolean': return value ? 'true' : 'false';
    case 'object': break;
    default: return null;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    let out = '[';
    for (let i = 0; i < value.length; i += 1) {
      const item: unknown = value[i];
      const v = typeof item === 'string' ? stringText(item) : jsonbText(item);
      if (v === null) return null;
      out += i === 0 ? v : `, ${v}`;
    }
    return `${out}]`;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return null;
  return objectText(value as Record<string, unknown>);
}

function objectText(value: Record<string, unknown>): string | null {
  let obj = value;
  const keys = Object.keys(obj);
  if (keys.length === 0) return '{}';
  let shape = shapeOf(keys);
  // A key that needs cleaning (NUL, lone surrogate) may, once cleaned, collide with another: let
  // cleanJson decide which value the stored object keeps (it is what the `raw` column was written from).
  if (shape.needsCleaning) {
    obj = cleanJson(obj) as Record<string, unknown>;
    shape = shapeOf(Object.keys(obj));
  }
  const sorted = shape.keys;
  const prefixes = shape.prefixes;
  let out = '';
  for (let i = 0; i < sorted.length; i += 1) {
    const raw = obj[sorted[i] as string];
    // JSON has no undefined (JSON.stringify leaves such a key out): not a wire item, not decided here.
    if (raw === undefined) return null;
    const v = typeof raw === 'string' ? stringText(raw) : jsonbText(raw);
    if (v === null) return null;
    out += (prefixes[i] as string) + v;
  }
  return `${out}}`;
}

/** Characters JSON or jsonb escape, and surrogates (a lone one is cleaned first): text without any is quoted as is. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * JSON.stringify escapes exactly as jsonb does, once cleanText has run; only text needing it shows
 * a \u escape. Most listed strings (ids, names, dates) need no escape at all: those are quoted
 * without the stringify and the scan of its output (a profiled 3 % of an unchanged region).
 */
function stringText(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return `"${value}"`;
  const text = JSON.stringify(value);
  return text.includes('\\u') ? JSON.stringify(cleanText(value)) : text;
}

/** An object's keys in jsonb's order, with what precedes each value: `{"A": `, then `, "B": `. */
interface Shape {
  /** The keys as the object listed them (Object.keys): what a lookup compares. */
  listed: readonly string[];
  keys: readonly string[];
  prefixes: readonly string[];
  /** A key holds NUL or a lone surrogate: the object is cleaned first (cleanJson). */
  needsCleaning: boolean;
}

// The items of a listing share a few shapes: each key list is sorted and quoted once. A lookup
// goes by the first key and compares the whole list key by key (keys parsed from JSON are
// interned, so each comparison is a pointer's); building a signature string per object (its
// JSON text, hashed by the Map) cost more than the rest of the object's text (profiled at 200
// accounts, issue 24).
const SHAPES = new Map<string, Shape[]>();
const SHAPE_LIMIT = 512;
let shapeCount = 0;

function shapeOf(listed: readonly string[]): Shape {
  const first = listed[0] as string;
  let candidates = SHAPES.get(first);
  if (candidates !== undefined) {
    for (const shape of candidates) if (sameKeys(shape.listed, listed)) return shape;
  }
  if (shapeCount >= SHAPE_LIMIT) {
    SHAPES.clear();
    shapeCount = 0;
    candidates = undefined;
  }
  if (candidates === undefined) {
    candidates = [];
    SHAPES.set(first, candidates);
  }
  const keys = [...listed].sort(jsonbKeyOrder);
  const shape: Shape = {
    listed: [...listed],
    keys,
    prefixes: keys.map((k, i) => `${i === 0 ? '{' : ', '}${JSON.stringify(k)}: `),
    // JSON.stringify shows such a key as a \u escape.
    needsCleaning: JSON.stringify(listed).includes('\\u'),
  };
  candidates.push(shape);
  shapeCount += 1;
  return shape;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/** jsonb's key order: shorter UTF-8 first, then bytewise (lengthCompareJsonbString). */
function jsonbKeyOrder(a: string, b: string): number {
  if (isAscii(a) && isAscii(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length - y.length || Buffer.compare(x, y);
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i += 1) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * How Postgres prints the numeric it parses from JSON.stringify(n): the same text, except that an
 * exponent (1e+21, 1.5e-7) is written out, with as many decimals as the digits need.
 */
export function numericText(n: number): string {
  const text = JSON.stringify(n);
  const e = text.indexOf('e');
  if (e === -1) return text;
  const negative = text.startsWith('-');
  const mantissa = text.slice(negative ? 1 : 0, e);
  const exponent = Number(text.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = dot === -1 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const point = (dot === -1 ? mantissa.length : dot) + exponent; // digits before the decimal point
  let plain: string;
  if (point <= 0) plain = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) plain = digits + '0'.repeat(point - digits.length);
  else plain = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${plain}` : plain;
}
