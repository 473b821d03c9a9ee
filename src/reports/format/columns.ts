/** What the formatters need to know about a column; rows are plain objects from the report queries. */
export type Row = Record<string, unknown>;

export interface Column {
  /** Row key; also the CSV header and JSON key, so scripts see the same names everywhere. */
  key: string;
  /** Table header, for people. */
  header: string;
  /** Table text when the default rendering is not readable (e.g. a change summary). */
  text?: (value: unknown) => string;
}

export const OUTPUT_FORMATS = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
