import { stringify } from 'csv-stringify/sync';
import { csvText } from './cell-text.js';
import type { Column, Row } from './columns.js';

/**
 * RFC 4180: a header record, CRLF between records, fields quoted when they hold a comma, a quote
 * or a line break (quotes doubled). The header is the row keys, the same names as in JSON.
 */
export function formatCsv(columns: readonly Column[], rows: readonly Row[]): string {
  const records = [columns.map((c) => c.key), ...rows.map((row) => columns.map((c) => csvText(row[c.key])))];
  return stringify(records, { record_delimiter: 'windows' });
}
