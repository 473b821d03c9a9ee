/**
 * The `report` in each format. Its sections have different columns, so CSV uses one table with a
 * leading `section` column and the union of the sections' columns (still one RFC 4180 table a
 * script can filter); JSON nests rows under section names.
 */
import { SECTION_LAYOUT, type ReportParameters } from '../report-layout.js';
import type { ReportSection } from '../sql/report-queries.js';
import type { Column, OutputFormat, Row } from './columns.js';
import { formatCsv } from './format-csv.js';
import { formatJson } from './format-json.js';
import { formatTable } from './format-table.js';

export interface ReportResult {
  parameters: ReportParameters;
  sections: Array<{ name: ReportSection; rows: Row[] }>;
}

export function formatReport(format: OutputFormat, report: ReportResult, color = false): string {
  if (format === 'json') {
    return formatJson({ ...report.parameters, sections: Object.fromEntries(report.sections.map((s) => [s.name, s.rows])) });
  }
  if (format === 'csv') {
    const columns: Column[] = [{ key: 'section', header: 'Section' }];
    for (const s of report.sections) {
      for (const c of SECTION_LAYOUT[s.name].columns) if (!columns.some((k) => k.key === c.key)) columns.push(c);
    }
    return formatCsv(columns, report.sections.flatMap((s) => s.rows.map((r) => ({ section: s.name, ...r }))));
  }
  return report.sections.map((s) => {
    const title = `${SECTION_LAYOUT[s.name].title(report.parameters)} (${s.rows.length})`;
    const body = s.rows.length === 0 ? '(none)\n' : formatTable(SECTION_LAYOUT[s.name].columns, s.rows, { color });
    return `${title}\n${body}`;
  }).join('\n');
}
