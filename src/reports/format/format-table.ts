import Table from 'cli-table3';
import { tableText } from './cell-text.js';
import type { Column, Row } from './columns.js';

export interface TableOptions {
  /** Colored header and borders: only on a terminal, never in files or golden tests. */
  color: boolean;
}

export function formatTable(columns: readonly Column[], rows: readonly Row[], options: TableOptions): string {
  const table = new Table({
    head: columns.map((c) => c.header),
    style: options.color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] },
  });
  for (const row of rows) {
    table.push(columns.map((c) => (c.text ?? tableText)(row[c.key])));
  }
  return `${table.toString()}\n`;
}
