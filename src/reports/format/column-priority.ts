/**
 * How soon a table column goes when the terminal is too narrow, judged from what its cells hold
 * (docs/REPORTS.md "Tables"). Pure. In order, first to go:
 * 1. blank in every row: says nothing, so it goes first and the note does not name it;
 * 2. nothing but its `emptyText` (a count of `0`) and blanks: next (the note names it);
 * 3. the other droppable columns, by their declared `drop`, highest first;
 * 4. columns that carry the answer and differ between rows: after every other droppable column.
 * A column declared never dropped (`drop` 1) stays unless it is blank or empty.
 */
import type { Column } from './columns.js';

export const BLANK_DROP = 1000;
export const EMPTY_DROP = 900;

export interface ColumnRank {
  /** The `drop` fitColumns acts on: higher goes first. */
  drop: number;
  /** Blank in every row: never squeezed back in, never named. */
  blank: boolean;
}

export function rankColumn(column: Column, cells: readonly string[]): ColumnRank {
  if (cells.every((c) => c === '')) return { drop: BLANK_DROP, blank: true };
  if (column.emptyText !== undefined && cells.every((c) => c === '' || c === column.emptyText)) return { drop: EMPTY_DROP, blank: false };
  const declared = column.drop ?? 1;
  // Between 1 and 2: after every declared-droppable column, in their own declared order.
  if (column.answer === true && declared > 1 && new Set(cells).size > 1) return { drop: 1 + declared / BLANK_DROP, blank: false };
  return { drop: declared, blank: false };
}
