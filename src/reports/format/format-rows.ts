import type { Column, OutputFormat, Row } from './columns.js';
import { formatCsv } from './format-csv.js';
import { formatJson } from './format-json.js';
import { formatTable } from './format-table.js';

/** One result set in the chosen format. JSON keeps every row key, typed; table and CSV follow `columns`. */
export function formatRows(format: OutputFormat, columns: readonly Column[], rows: readonly Row[], color = false): string {
  switch (format) {
    case 'json': return formatJson(rows);
    case 'csv': return formatCsv(columns, rows);
    case 'table': return formatTable(columns, rows, { color });
  }
}
