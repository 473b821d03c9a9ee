/**
 * The alert rules operators load (deploy/prometheus/alerts.yml), held to Prometheus's own tools:
 * `promtool check rules` and `promtool test rules` on alerts.test.yml. Beside them, what promtool
 * cannot know: each rule has a severity and runbook text, fires in at least one test case and stays
 * quiet in another, and reads only metrics the worker exports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createMetrics } from '../../src/ops/metrics.js';
import { promtool, skipWithoutPromtool } from '../helpers/promtool.js';

const DIR = join(import.meta.dirname, '../../deploy/prometheus');
const RULES = join(DIR, 'alerts.yml');
const TESTS = join(DIR, 'alerts.test.yml');

interface Rule { alert: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
interface RuleTest { alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }

const rules = (parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules);
const OPERATIONS = readFileSync(join(import.meta.dirname, '../../docs/OPERATIONS.md'), 'utf8');
const cases = (parse(readFileSync(TESTS, 'utf8')) as { tests: RuleTest[] }).tests.flatMap((t) => t.alert_rule_test ?? []);

describe.skipIf(skipWithoutPromtool())('alert rules under promtool', () => {
  it('`promtool check rules` accepts every rule', () => {
    const res = promtool(['check', 'rules', RULES]);
    expect(res.stdout + res.stderr).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(res.code).toBe(0);
  });

  it('`promtool test rules` passes every case of alerts.test.yml', () => {
    const res = promtool(['test', 'rules', TESTS]);
    expect(res.stdout + res.stderr).toContain('SUCCESS');
    expect(res.code, res.stdout + res.stderr).toBe(0);
  });
});

describe('alert rules: what an operator needs beyond valid PromQL', () => {
  it('covers the operator questions of issue 23', () => {
    expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining([
      'SwasRegionStale', 'SwasNoSuccessfulRun', 'SwasRunsPartialOrFailed', 'SwasSyncScheduleMissing', 'SwasScheduleMissing',
      'SwasThrottlingSustained', 'SwasWebhookDeliveriesDead', 'SwasWebhookLagging', 'SwasWorkerDown', 'SwasRedisEvictionPolicyUnsafe',
    ]));
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  });

  it.each(rules.map((r) => [r.alert, r] as const))('%s has a severity, a summary, a description and a runbook pointing at its docs section', (name, rule) => {
    expect(['critical', 'warning']).toContain(rule.labels?.severity);
    for (const key of ['summary', 'description', 'runbook']) expect(rule.annotations?.[key]?.length ?? 0).toBeGreaterThan(20);
    expect(rule.annotations?.runbook).toContain(`docs/OPERATIONS.md#${name.toLowerCase()}`);
  });

  it.each(rules.map((r) => [r.alert] as const))('%s has its section in docs/OPERATIONS.md (what it means, what to do)', (name) => {
    const section = OPERATIONS.split(/^### /m).find((s) => s.startsWith(`${name}\n`));
    expect(section, `### ${name}`).toBeDefined();
    expect(section).toMatch(/\*(critical|warning)\.\*/);
    expect(section).toContain('**Do:**');
    expect(section).toContain(`*${rules.find((r) => r.alert === name)!.labels!.severity}.*`);
  });

  it.each(rules.map((r) => [r.alert] as const))('%s has a test case where it fires and one where it stays quiet', (name) => {
    const mine = cases.filter((c) => c.alertname === name);
    expect(mine.some((c) => (c.exp_alerts ?? []).length > 0)).toBe(true);
    expect(mine.some((c) => (c.exp_alerts ?? []).length === 0)).toBe(true);
  });

  it('reads only metrics the worker exports (a renamed metric would silence its alert)', async () => {
    const exported = new Set((await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name));
    const used = new Set(rules.flatMap((r) => r.expr.match(/\bswas_[a-z_]+/g) ?? []));
    expect(used.size).toBeGreaterThan(10);
    for (const name of used) expect(exported, name).toContain(name);
  });
});
