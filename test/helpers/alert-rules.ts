/**
 * Evaluates deploy/prometheus/alerts.yml's rules with promtool on series a test provides (a real
 * worker's scrape, held over time), checking which alerts fire with which labels. The rules are the
 * shipped expressions, `for` and labels; only the annotations are left out, since promtool compares
 * them verbatim and a rendered value (`30m 12s`) depends on the scrape.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { promtool, type PromtoolResult } from './promtool.js';

const ALERTS = join(import.meta.dirname, '../../deploy/prometheus/alerts.yml');

interface Rule { alert: string; expr: string; for?: string; labels?: Record<string, string> }

export interface RulesCase {
  series: Array<{ series: string; values: string }>;
  alert: string;
  /** The alerts expected at minute 14, by their labels (alertname aside); [] for quiet. */
  expect: Array<Record<string, string>>;
}

export function rulesVerdicts(cases: readonly RulesCase[]): PromtoolResult {
  const groups = (parse(readFileSync(ALERTS, 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> }).groups
    .map((g) => ({ name: g.name, rules: g.rules.map(({ alert, expr, for: forDuration, labels }) => ({ alert, expr, ...(forDuration ? { for: forDuration } : {}), ...(labels ? { labels } : {}) })) }));
  const dir = mkdtempSync(join(tmpdir(), 'swas-rules-'));
  try {
    writeFileSync(join(dir, 'rules.yml'), stringify({ groups }));
    writeFileSync(join(dir, 'test.yml'), stringify({
      rule_files: ['rules.yml'],
      evaluation_interval: '1m',
      tests: cases.map((c) => ({
        interval: '1m',
        input_series: c.series,
        alert_rule_test: [{ eval_time: '14m', alertname: c.alert, exp_alerts: c.expect.map((labels) => ({ exp_labels: labels })) }],
      })),
    }));
    return promtool(['test', 'rules', join(dir, 'test.yml')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
