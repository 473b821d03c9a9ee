/**
 * docker-compose.yml's `observability` profile, checked without a Docker engine (none runs here):
 * the file parses as YAML, Prometheus and Grafana are in the profile, and every file they mount
 * exists and lands where their configuration looks for it: prometheus.yml's rule file, Grafana's
 * provisioning, the dashboards folder its provider reads, and each variable the datasource file uses.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Service { profiles?: string[]; image?: string; volumes?: string[]; environment?: Record<string, string>; command?: string[] }
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service> };

/** `./host/path:/container/path[:ro]` of a service, as [host path relative to the repo, container path]. */
function binds(service: Service): Array<[string, string]> {
  return (service.volumes ?? []).filter((v) => v.startsWith('./')).map((v) => {
    const [host, target] = v.split(':');
    return [host!.slice(2), target!];
  });
}

/** Where a container path comes from in the repository, through the service's bind mounts. */
function hostPathOf(service: Service, containerPath: string): string | undefined {
  for (const [host, target] of binds(service)) {
    if (containerPath === target) return host;
    if (containerPath.startsWith(`${target}/`)) return posix.join(host, containerPath.slice(target.length + 1));
  }
  return undefined;
}

describe('docker-compose.yml: the observability profile', () => {
  const prometheus = compose.services.prometheus!;
  const grafana = compose.services.grafana!;

  it('parses, and has Prometheus and Grafana in the `observability` profile only, on pinned images', () => {
    expect(prometheus.profiles).toEqual(['observability']);
    expect(grafana.profiles).toEqual(['observability']);
    expect(prometheus.image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
    expect(grafana.image).toMatch(/^grafana\/grafana-oss:11\.1\.\d+$/); // the schemaVersion the dashboards declare
  });

  it('every file or folder they mount exists in the repository', () => {
    for (const service of [prometheus, grafana, compose.services.postgres!]) {
      for (const [host] of binds(service)) expect(existsSync(join(ROOT, host)), host).toBe(true);
    }
  });

  it('Prometheus gets its config, and the alert rules where the config names them', () => {
    const configArg = prometheus.command?.find((a) => a.startsWith('--config.file='))?.slice('--config.file='.length);
    expect(configArg).toBe('/etc/prometheus/prometheus.yml');
    expect(hostPathOf(prometheus, configArg!)).toBe('deploy/prometheus/prometheus.yml');
    const config = parse(read('deploy/prometheus/prometheus.yml')) as { rule_files: string[]; scrape_configs: Array<{ job_name: string }> };
    for (const rule of config.rule_files) {
      expect(hostPathOf(prometheus, posix.resolve('/etc/prometheus', rule)), rule).toBe('deploy/prometheus/alerts.yml');
    }
    // The job name the alert rules select on (up{job="swas-inventory"}).
    expect(config.scrape_configs.map((s) => s.job_name)).toEqual(['swas-inventory']);
    expect(read('deploy/prometheus/alerts.yml')).toContain('up{job="swas-inventory"}');
  });

  it('Grafana gets its provisioning, the dashboards where the provider reads them, and every variable the datasource file uses', () => {
    expect(hostPathOf(grafana, '/etc/grafana/provisioning/datasources/swas.yml')).toBe('deploy/grafana/provisioning/datasources/swas.yml');
    const provider = (parse(read('deploy/grafana/provisioning/dashboards/swas.yml')) as { providers: Array<{ options: { path: string } }> }).providers[0]!;
    expect(hostPathOf(grafana, provider.options.path)).toBe('deploy/grafana/dashboards');
    expect(existsSync(join(ROOT, hostPathOf(grafana, grafana.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!)!))).toBe(true);
    const used = [...read('deploy/grafana/provisioning/datasources/swas.yml').matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(4);
    for (const name of used) expect(Object.keys(grafana.environment ?? {}), name).toContain(name);
    // The login the datasource uses is the one the Postgres init script creates, in swas_reader.
    expect(read('deploy/postgres/initdb/10-swas-grafana-login.sql')).toContain(`create role ${grafana.environment!.SWAS_GRAFANA_DB_USER} login password '${grafana.environment!.SWAS_GRAFANA_DB_PASSWORD}' in role swas_reader;`);
  });
});
