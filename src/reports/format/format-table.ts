/**
 * Tables for people, in the style of `kubectl get` and `gh`: upper-case headers, columns two
 * spaces apart, no borders and no rule between rows, sized to the terminal (fit-columns.ts). Cell
 * widths are display widths (string-width: a CJK character takes two columns), the same measure
 * cli-table3 pads and cuts with, so CJK text stays aligned.
 */
import Table from 'cli-table3';
import stringWidth from 'string-width';
import { tableText } from './cell-text.js';
import { rankColumn } from './column-priority.js';
import type { Column, Row } from './columns.js';
import { displayZone, type DisplayZone } from './display-time.js';
import { fitColumns } from './fit-columns.js';
import { wrapText, wrapWords } from './wrap-text.js';

export interface TableOptions {
  /** Bold headers: only on a terminal without NO_COLOR, never in files or golden tests. */
  color?: boolean;
  /** Terminal width to fit; null or absent: as wide as the content (`--wide`). */
  width?: number | null;
  /** Zone of time columns. Default UTC. */
  zone?: DisplayZone;
}

const GAP = 2;
const NO_BORDERS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ' '.repeat(GAP),
};

export function formatTable(columns: readonly Column[], rows: readonly Row[], options: TableOptions = {}): string {
  if (rows.length === 0) return '(none)\n';
  const zone = options.zone ?? displayZone('UTC');
  // The zone is a name (Asia/Shanghai): upper-case the header, not the zone.
  const headers = columns.map((c) => (c.time ? `${c.header.toUpperCase()} (${zone.name})` : c.header.toUpperCase()));
  const cells = rows.map((row) => columns.map((c) => cellText(c, row, zone)));
  const ranks = columns.map((c, i) => rankColumn(c, cells.map((line) => line[i] ?? '')));
  const fit = fitColumns(columns.map((c, i) => ({
    natural: Math.max(stringWidth(headers[i] ?? ''), ...cells.map((line) => widestLine(line[i] ?? ''))),
    drop: ranks[i]?.drop ?? 1,
    shrinkTo: c.shrinkTo,
    blank: ranks[i]?.blank ?? false,
  })), options.width ?? null, GAP);
  // An answer column narrower than its text wraps (cli-table3 would cut it with an ellipsis).
  const wrapped = new Map(fit.shown.map((i, k) => [i, columns[i]?.answer === true ? fit.widths[k] ?? 0 : 0]));
  const table = new Table({
    head: fit.shown.map((i) => headers[i] ?? ''),
    chars: NO_BORDERS,
    colWidths: fit.widths,
    colAligns: fit.shown.map((i) => columns[i]?.align ?? 'left'),
    style: { head: options.color ? ['bold'] : [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const line of cells) table.push(fit.shown.map((i) => ((wrapped.get(i) ?? 0) > 0 ? wrapText(line[i] ?? '', wrapped.get(i) ?? 0) : line[i] ?? '')));
  const body = table.toString().split('\n').map(trimEnd).join('\n');
  return `${body}\n${hiddenNote(fit.hidden.filter((i) => ranks[i]?.blank !== true).map((i) => columns[i]?.header ?? ''), options.width ?? null)}`;
}

/** Says what was left out to fit, wrapped to the width (a cut note hides the names it is for). */
function hiddenNote(hidden: readonly string[], width: number | null): string {
  if (hidden.length === 0) return '';
  const words = `(${hidden.length} more column${hidden.length === 1 ? '' : 's'} with --wide:`.split(' ')
    .concat(hidden.map((h, i) => `${h}${i === hidden.length - 1 ? ')' : ','}`));
  return `${width === null ? words.join(' ') : wrapWords(words, width)}\n`;
}

function cellText(column: Column, row: Row, zone: DisplayZone): string {
  const value = row[column.key];
  if (column.text) return column.text(value, row);
  if (column.time) return zone.format(value);
  return tableText(value);
}

function widestLine(text: string): number {
  return Math.max(0, ...text.split('\n').map((l) => stringWidth(l)));
}

/** cli-table3 pads the last column too; trailing blanks (before any color reset) are noise. */
function trimEnd(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/ +((?:\u001b\[[0-9;]*m)*)$/, '$1');
}
