/** The reports bench (bench/reports, by the reports' author): each CLI query's time against its goal. */
import { runReportBench } from '../reports/run.js';
import { adminUrl } from '../lib/bench-database.js';
import { judge, round, type CaseResult } from '../lib/case-result.js';

export async function reportsCase(opts: { accounts?: number; imagesPerAccount?: number; versionsPerImage?: number; repeats?: number }): Promise<CaseResult> {
  const r = await runReportBench({ adminUrl: adminUrl(), ...opts });
  return {
    id: 'reports',
    title: `Reports: CLI queries over ${r.generated ? `${r.generated.versions.toLocaleString('en-US')} versions` : 'a kept database'}`,
    figures: r.queries.map((q) => judge({
      metric: `${q.name}: median server time / goal`,
      value: round(q.medianMs, 1), unit: 'ms',
      baseline: { label: 'goal', value: q.goalMs, unit: 'ms' },
      ratio: round(q.ratio, 2), goal: { op: '<=', target: 1 },
    })),
    details: { ...r },
    notes: ['Measured by runReportBench (bench/reports); see docs/REPORTS.md.'],
  };
}
