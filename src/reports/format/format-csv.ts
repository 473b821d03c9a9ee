import { stringify } from 'csv-stringify/sync';
import { csvText } from './cell-text.js';
import type { Row } from './columns.js';

/**
 * RFC 4180: a header record, CRLF between records, fields quoted when they hold a comma, a quote
 * or a line break (quotes doubled). The header is `fields`, the same names as the JSON keys.
 */
export function formatCsv(fields: readonly string[], rows: readonly Row[]): string {
  const records = [[...fields], ...rows.map((row) => fields.map((f) => csvText(row[f])))];
  return stringify(records, { record_delimiter: 'windows' });
}
