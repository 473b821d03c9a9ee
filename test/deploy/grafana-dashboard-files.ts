/** Reading the provisioned dashboards for the tests: their files, panels and queries. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const DASHBOARD_DIR = join(import.meta.dirname, '../../deploy/grafana/dashboards');
/** The classic dashboard model's version in Grafana 11.1 (the image docker-compose.yml runs). */
export const GRAFANA_SCHEMA_VERSION = 39;

export interface Target { refId: string; datasource?: { type: string; uid: string }; expr?: string; rawSql?: string; rawQuery?: boolean; format?: string }
export interface Panel { id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; datasource?: { type: string; uid: string }; targets?: Target[] }
export interface Dashboard { uid: string; title: string; schemaVersion: number; time: { from: string; to: string }; panels: Panel[]; templating: { list: Array<{ name: string }> } }

export function loadDashboards(): Array<{ file: string; json: Dashboard }> {
  return readdirSync(DASHBOARD_DIR).filter((f) => f.endsWith('.json')).sort()
    .map((file) => ({ file, json: JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) as Dashboard }));
}

const targetsOf = (d: Dashboard, type: string) => d.panels
  .filter((p) => p.datasource?.type === type)
  .flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel, target })));

export const promTargets = (d: Dashboard) => targetsOf(d, 'prometheus');
export const sqlTargets = (d: Dashboard) => targetsOf(d, 'grafana-postgresql-datasource');
