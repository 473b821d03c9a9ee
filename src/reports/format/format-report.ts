/**
 * The `report` in each format. Its sections have different columns, so CSV uses one table with a
 * leading `section` column and the union of the sections' columns (still one RFC 4180 table a
 * script can filter); JSON nests rows under section names.
 */
import { SECTION_LAYOUT, type ReportParameters } from '../layouts.js';
import { REPORT_SECTIONS, type ReportSection } from '../sql/report-queries.js';
import type { OutputFormat, Row } from './columns.js';
import { formatCsv } from './format-csv.js';
import { formatJson } from './format-json.js';
import { formatTable, type TableOptions } from './format-table.js';

export interface ReportResult {
  parameters: ReportParameters;
  sections: Array<{ name: ReportSection; rows: Row[] }>;
}

/**
 * The CSV header: `section`, then the union of every section's keys in section order (sections
 * left out, such as missing_tag without --require-tag, included), so the header never changes.
 */
export function reportCsvFields(): string[] {
  const fields = ['section'];
  for (const name of REPORT_SECTIONS) for (const c of SECTION_LAYOUT[name].columns) if (!fields.includes(c.key)) fields.push(c.key);
  return fields;
}

export function formatReport(format: OutputFormat, report: ReportResult, options: TableOptions = {}): string {
  if (format === 'json') {
    return formatJson({ ...report.parameters, sections: Object.fromEntries(report.sections.map((s) => [s.name, s.rows])) });
  }
  if (format === 'csv') {
    return formatCsv(reportCsvFields(), report.sections.flatMap((s) => s.rows.map((r) => ({ section: s.name, ...r }))));
  }
  return report.sections.map((s) => {
    const title = `${SECTION_LAYOUT[s.name].title(report.parameters)} (${s.rows.length})`;
    const body = formatTable(SECTION_LAYOUT[s.name].columns, s.rows, options);
    return `${title}\n${body}`;
  }).join('\n');
}
