import type { Layout, OutputFormat, Row } from './columns.js';
import { formatCsv } from './format-csv.js';
import { formatJson } from './format-json.js';
import { formatTable, type TableOptions } from './format-table.js';

/**
 * One result set in the chosen format. JSON and CSV carry exactly `layout.fields` (typed in JSON,
 * text in CSV); the table shows `layout.columns`, fitted to the terminal.
 */
export function formatRows(format: OutputFormat, layout: Layout, rows: readonly Row[], options: TableOptions = {}): string {
  switch (format) {
    case 'json': return formatJson(rows.map((row) => pickFields(row, layout.fields)));
    case 'csv': return formatCsv(layout.fields, rows);
    case 'table': return formatTable(layout.columns, rows, options);
  }
}

/** The row with exactly these keys, in this order (absent ones as null): the documented shape. */
export function pickFields(row: Row, fields: readonly string[]): Row {
  return Object.fromEntries(fields.map((f) => [f, row[f] ?? null]));
}
