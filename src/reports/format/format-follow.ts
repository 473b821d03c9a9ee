/**
 * `history --follow` output: events arrive a few at a time and each line must be final when it is
 * written (a pipe reader acts on it at once), so no format here waits for the whole result set.
 * - json: JSON lines, one object per event with exactly the layout's fields (`jq -c` friendly);
 * - csv: the header once, then one record per event;
 * - table: one line per event, its parts two spaces apart (a live table cannot size columns from
 *   rows it has not seen): when, kind, change and image first and never cut (a terminal too
 *   narrow for them wraps the line), then name, account and region, cut to the width. Pure.
 */
import stringWidth from 'string-width';
import { tableText } from './cell-text.js';
import type { Layout, OutputFormat, Row } from './columns.js';
import { displayZone } from './display-time.js';
import { formatCsv } from './format-csv.js';
import type { TableOptions } from './format-table.js';
import { pickFields } from './format-rows.js';
import { FOLLOW_LINE_KEPT, FOLLOW_LINE_KEYS } from '../layouts.js';

/** What goes out before the first event (the CSV header), or ''. */
export function followPreamble(format: OutputFormat, layout: Layout): string {
  return format === 'csv' ? formatCsv(layout.fields, []) : '';
}

export function followLines(format: OutputFormat, layout: Layout, rows: readonly Row[], options: TableOptions = {}): string {
  switch (format) {
    case 'json': return rows.map((row) => `${JSON.stringify(pickFields(row, layout.fields))}\n`).join('');
    case 'csv': return formatCsv(layout.fields, rows).split('\r\n').slice(1).join('\r\n');
    case 'table': return rows.map((row) => `${tableLine(layout, row, options)}\n`).join('');
  }
}

function tableLine(layout: Layout, row: Row, options: TableOptions): string {
  const zone = options.zone ?? displayZone('UTC');
  const cells = FOLLOW_LINE_KEYS.map((key) => {
    const c = layout.columns.find((column) => column.key === key);
    if (c === undefined) return '';
    const value = row[c.key];
    const text = c.text ? c.text(value, row) : c.time ? zone.format(value) : tableText(value);
    return text.replace(/\s*\n\s*/g, '; ');
  });
  const kept = cells.slice(0, FOLLOW_LINE_KEPT).filter((t) => t !== '').join('  ');
  const rest = cells.slice(FOLLOW_LINE_KEPT).filter((t) => t !== '');
  const width = options.width ?? null;
  // Less room than a few characters after the answer: a stub such as `w…` only adds noise.
  if (rest.length === 0 || (width !== null && stringWidth(kept) + 2 + 4 > width)) return kept;
  return cut([kept, ...rest].join('  '), width);
}

/** Cut to `width` display columns with an ellipsis (a CJK character takes two). */
function cut(line: string, width: number | null): string {
  if (width === null || stringWidth(line) <= width) return line;
  let out = '';
  for (const ch of line) {
    if (stringWidth(out + ch) > width - 1) break;
    out += ch;
  }
  return `${out}…`;
}
