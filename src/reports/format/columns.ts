/** What the formatters need to know about a result set; rows are plain objects from the queries. */
export type Row = Record<string, unknown>;

export interface Column {
  /** Row key the cell shows. */
  key: string;
  /** Table header, for people (shown upper-case; a time column's zone keeps its own case). */
  header: string;
  /** Table text when the default rendering is not readable (a change summary, a folded status). */
  text?: (value: unknown, row: Row) => string;
  /**
   * How much the table loses without it when the terminal is too narrow: 1 (the default) is never
   * dropped; higher numbers are dropped first (`--wide` shows them all).
   */
  drop?: number;
  /**
   * Long free text (names, tags, errors) that may be cut with an ellipsis, down to this many
   * columns, to fit the terminal. Absent: never cut (ids, statuses, times).
   */
  shrinkTo?: number;
  /**
   * Carries the command's answer (kind and change for history, outcome and counts for sync, run id
   * and status for runs): when its cells differ between rows it is kept before every other
   * droppable column, and long text in it wraps onto more lines instead of being cut.
   */
  answer?: boolean;
  /** A cell that says nothing (a count of `0`): a column of only these, or blanks, is left out early. */
  emptyText?: string;
  /** Numbers read best right-aligned. */
  align?: 'left' | 'right';
  /** An ISO 8601 time: shown in the display zone (UTC by default, `--tz`), the zone in the header. */
  time?: boolean;
}

/**
 * A result set's two shapes: `fields` are the JSON keys, in order, and exactly the CSV header
 * (docs/REPORTS.md documents them); `columns` are what a person sees in the table.
 */
export interface Layout {
  fields: readonly string[];
  columns: readonly Column[];
}

export const OUTPUT_FORMATS = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
