/**
 * Prometheus's own checker, promtool, from Debian's `prometheus` package (unpacked, never run as a
 * service: `apt-get download prometheus && dpkg-deb -x prometheus_*.deb DIR`). Found at $PROMTOOL,
 * else on PATH, else where .ci/run unpacks it. Without it the tests that need it are skipped with a
 * loud notice; with CI set they are required and fail saying how to get it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const UNPACKED = ['/opt/promtool/usr/bin/promtool'];

function onPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'promtool');
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export const PROMTOOL: string | undefined = process.env.PROMTOOL !== undefined && process.env.PROMTOOL !== ''
  ? process.env.PROMTOOL
  : onPath() ?? UNPACKED.find((p) => existsSync(p));

export const PROMTOOL_REQUIRED = (process.env.CI ?? '') !== '' && process.env.CI !== 'false';

export const PROMTOOL_MISSING = `No promtool (looked at $PROMTOOL, PATH, ${UNPACKED.join(', ')}): ` +
  'apt-get download prometheus && dpkg-deb -x prometheus_*.deb /opt/promtool (.ci/run does this), or set PROMTOOL.';

/** True when the tests that need promtool should be skipped (missing, and CI not set); says so loudly once per file. */
export function skipWithoutPromtool(): boolean {
  if (PROMTOOL !== undefined || PROMTOOL_REQUIRED) return false;
  process.stderr.write(`\n${'!'.repeat(100)}\n!! SKIPPED: ${PROMTOOL_MISSING}\n!! (CI=1 makes these tests required.)\n${'!'.repeat(100)}\n\n`);
  return true;
}

export interface PromtoolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs promtool; `input` goes to its stdin (`check metrics` reads the exposition there). */
export function promtool(args: readonly string[], input?: string): PromtoolResult {
  if (PROMTOOL === undefined) throw new Error(`${PROMTOOL_MISSING} CI is set, so this test is required.`);
  const res = spawnSync(PROMTOOL, args, { input, encoding: 'utf8', timeout: 120_000 });
  if (res.error) throw res.error;
  return { code: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}

export function promtoolVersion(): string {
  if (PROMTOOL === undefined) return 'none';
  return execFileSync(PROMTOOL, ['--version'], { encoding: 'utf8' }).split('\n')[0] ?? '';
}

/**
 * `/metrics` without the lines promtool rightly flags but this project cannot change: prom-client's
 * default `nodejs_active_handles_total`, `nodejs_active_requests_total` and
 * `nodejs_active_resources_total` are gauges named like counters ("non-counter metrics should not
 * have _total suffix"; prometheus/client_js#283, open upstream). Only those three families go.
 */
export function withoutKnownPromClientLints(exposition: string): string {
  const known = /^(# (HELP|TYPE) )?swas_nodejs_active_(handles|requests|resources)_total\b/;
  return exposition.split('\n').filter((line) => !known.test(line)).join('\n');
}
