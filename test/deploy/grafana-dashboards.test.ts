/**
 * The provisioned Grafana dashboards (deploy/grafana/dashboards/) as files Grafana will load: JSON
 * of the schema version they declare (the classic dashboard model of Grafana 11.1, which the
 * compose file runs), each panel on the grid and bound to a datasource that provisioning declares,
 * each query present; Prometheus queries parse (promtool, as recording rules) and name only metrics
 * the worker exports. The SQL panels' queries run as swas_reader in grafana-sql-panels.test.ts.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createMetrics } from '../../src/ops/metrics.js';
import { promtool, skipWithoutPromtool } from '../helpers/promtool.js';
import { DASHBOARD_DIR, GRAFANA_SCHEMA_VERSION, loadDashboards, promTargets, sqlTargets, type Panel } from './grafana-dashboard-files.js';

const PROVISIONING = join(import.meta.dirname, '../../deploy/grafana/provisioning');
const dashboards = loadDashboards();
const datasources = (parse(readFileSync(join(PROVISIONING, 'datasources/swas.yml'), 'utf8')) as { datasources: Array<{ uid: string; type: string }> }).datasources;
const PANEL_TYPES = new Set(['row', 'stat', 'timeseries', 'table', 'piechart', 'barchart', 'state-timeline', 'bargauge', 'gauge', 'text']);

describe('Grafana dashboards: files Grafana can load', () => {
  it('two dashboards, one over Prometheus and one over PostgreSQL, each with a unique uid', () => {
    expect(readdirSync(DASHBOARD_DIR).filter((f) => f.endsWith('.json')).sort()).toEqual(['swas-inventory.json', 'swas-operations.json']);
    expect(new Set(dashboards.map((d) => d.json.uid)).size).toBe(2);
    expect(promTargets(dashboards.find((d) => d.json.uid === 'swas-operations')!.json).length).toBeGreaterThan(15);
    expect(sqlTargets(dashboards.find((d) => d.json.uid === 'swas-inventory')!.json).length).toBeGreaterThan(8);
  });

  it.each(dashboards.map((d) => [d.file, d] as const))('%s declares schemaVersion %s, a title, a time range, and panels on the 24-column grid with unique ids', (_file, { json }) => {
    expect(json.schemaVersion).toBe(GRAFANA_SCHEMA_VERSION);
    expect(json.title).toMatch(/^swas-inventory: /);
    expect(json.time).toEqual({ from: expect.stringMatching(/^now-/), to: 'now' });
    const ids = json.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of json.panels) {
      expect(PANEL_TYPES, p.title).toContain(p.type);
      expect(p.title.length).toBeGreaterThan(2);
      const g = p.gridPos;
      expect(g.x >= 0 && g.w > 0 && g.x + g.w <= 24 && g.h > 0 && g.y >= 0, `${p.title}: ${JSON.stringify(g)}`).toBe(true);
    }
  });

  it.each(dashboards.map((d) => [d.file, d] as const))('%s: every panel and query uses a datasource the provisioning file declares (same uid and type)', (_file, { json }) => {
    const declared = new Set(datasources.map((d) => `${d.type}/${d.uid}`));
    for (const p of json.panels.filter((x): x is Panel => x.type !== 'row')) {
      expect(declared, p.title).toContain(`${p.datasource?.type}/${p.datasource?.uid}`);
      expect(p.targets?.length ?? 0, p.title).toBeGreaterThan(0);
      for (const t of p.targets ?? []) {
        expect(t.datasource, p.title).toEqual(p.datasource);
        if (p.datasource?.type === 'prometheus') expect(t.expr?.trim().length ?? 0, p.title).toBeGreaterThan(5);
        else {
          expect(t.rawQuery, p.title).toBe(true);
          expect(['table', 'time_series'], p.title).toContain(t.format);
          expect(t.rawSql?.trim().length ?? 0, p.title).toBeGreaterThan(10);
        }
      }
    }
  });

  it('the SQL panels read only the views swas_reader may read, never a base table', () => {
    const views = new Set(['images_current', 'images_all', 'image_versions', 'image_history', 'status_codes', 'runs', 'region_runs', 'region_freshness', 'event_commit_order']);
    for (const { json } of dashboards) {
      for (const { panel, target } of sqlTargets(json)) {
        for (const [, name] of target.rawSql!.matchAll(/\bswas\.([a-z_]+)/g)) expect(views, `${panel.title} reads swas.${name}`).toContain(name);
      }
    }
  });

  it('the Prometheus panels name only metrics the worker exports', async () => {
    const exported = new Set((await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name));
    const ops = dashboards.find((d) => d.json.uid === 'swas-operations')!.json;
    for (const { panel, target } of promTargets(ops)) {
      for (const name of target.expr!.match(/\bswas_[a-z_]+/g) ?? []) {
        expect(exported, `${panel.title}: ${name}`).toContain(name.replace(/_(bucket|sum|count)$/, ''));
      }
    }
  });

  it.skipIf(skipWithoutPromtool())('every Prometheus query parses (promtool check rules, each query as a recording rule)', () => {
    const ops = dashboards.find((d) => d.json.uid === 'swas-operations')!.json;
    const rules = promTargets(ops).map(({ target }, i) => ({
      record: `swas_dashboard:query_${i}`,
      // Grafana's own variables, as Grafana substitutes them.
      expr: target.expr!.replaceAll('$__rate_interval', '1m').replaceAll('$__interval', '1m').replaceAll('$__range', '1h'),
    }));
    const dir = mkdtempSync(join(tmpdir(), 'swas-dash-'));
    try {
      const file = join(dir, 'dashboard-queries.yml');
      writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
      const res = promtool(['check', 'rules', file]);
      expect(res.stdout + res.stderr).toContain(`SUCCESS: ${rules.length} rules found`);
      expect(res.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
