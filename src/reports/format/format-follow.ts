/**
 * `history --follow` output: events arrive a few at a time and each line must be final when it is
 * written (a pipe reader acts on it at once), so no format here waits for the whole result set.
 * - json: JSON lines, one object per event with exactly the layout's fields (`jq -c` friendly);
 * - csv: the header once, then one record per event;
 * - table: one line per event, the table's columns two spaces apart, cut to the terminal width
 *   (a live table cannot size its columns from rows it has not seen). Pure.
 */
import stringWidth from 'string-width';
import { tableText } from './cell-text.js';
import type { Layout, OutputFormat, Row } from './columns.js';
import { displayZone } from './display-time.js';
import { formatCsv } from './format-csv.js';
import type { TableOptions } from './format-table.js';
import { pickFields } from './format-rows.js';

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
  const cells = layout.columns.map((c) => {
    const value = row[c.key];
    const text = c.text ? c.text(value, row) : c.time ? zone.format(value) : tableText(value);
    return text.replace(/\s*\n\s*/g, '; ');
  }).filter((t) => t !== '');
  return cut(cells.join('  '), options.width ?? null);
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
