/** The results as one plain-text table (and the same rows as Markdown for docs/BENCHMARKS.md). */
import type { CaseResult, Figure } from './case-result.js';

const fmt = (x: number): string => (Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : String(x));

function cells(c: CaseResult, f: Figure, judged: boolean): string[] {
  const goal = f.goal ? `${f.goal.op} ${f.goal.target}` : '';
  const verdict = !f.goal ? '' : !judged ? '(not judged)' : f.met ? 'met' : 'MISSED';
  return [
    c.id,
    f.metric,
    `${fmt(f.value)} ${f.unit}`,
    f.baseline ? `${fmt(f.baseline.value)} ${f.baseline.unit} (${f.baseline.label})` : '',
    f.ratio === undefined ? '' : String(f.ratio),
    goal,
    verdict,
  ];
}

const HEAD = ['case', 'figure', 'value', 'baseline (same run)', 'ratio', 'goal', 'verdict'];

export function formatTable(results: CaseResult[], judged: boolean): string {
  const rows = [HEAD, ...results.flatMap((c) => c.figures.map((f) => cells(c, f, judged)))];
  const widths = HEAD.map((_, i) => Math.min(70, Math.max(...rows.map((r) => (r[i] ?? '').length))));
  const line = (r: string[]) => r.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.slice(1).map(line)].join('\n');
}

export function markdownTable(results: CaseResult[], judged: boolean): string {
  const rows = results.flatMap((c) => c.figures.map((f) => cells(c, f, judged)));
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [`| ${HEAD.join(' | ')} |`, `|${HEAD.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}
