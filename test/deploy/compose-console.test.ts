/**
 * docker-compose.yml's `console` service, checked without a Docker engine: it runs `console` off
 * loopback with a CONSOLE_TOKEN, publishes on the host's loopback only, reads as the swas_reader
 * login that deploy/postgres/initdb creates, and the image carries every asset the console serves.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { OWN_ASSETS } from '../../src/console/assets.js';

const ROOT = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Service { profiles?: string[]; command?: string[]; environment?: Record<string, string>; ports?: string[] }
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service> };

describe('docker-compose.yml: the console service', () => {
  const console = compose.services.console!;

  it('runs the console off loopback with a token, published on the host loopback only, in both stacks', () => {
    expect(console.profiles).toEqual(['demo', 'cloud']);
    expect(console.command).toEqual(['console', '--host', '0.0.0.0', '--port', '8080']);
    expect(console.environment!.CONSOLE_TOKEN).toMatch(/^\$\{CONSOLE_TOKEN:-.{16,}\}$/);
    expect(console.environment!.HTTP_PORT).toBe('8080');
    expect(console.ports).toEqual(['127.0.0.1:8080:8080']);
  });

  it('reads as the swas_reader-only login created when the volume is initialised', () => {
    const url = new URL(console.environment!.DATABASE_URL!);
    expect(read('deploy/postgres/initdb/20-swas-console-login.sql'))
      .toContain(`create role ${url.username} login password '${url.password}' in role swas_reader;`);
  });

  it('the image copies the console assets, and each one exists', () => {
    expect(read('Dockerfile')).toMatch(/^COPY src\/console\/assets \.\/src\/console\/assets$/m);
    for (const name of OWN_ASSETS) expect(existsSync(join(ROOT, 'src/console/assets', name)), name).toBe(true);
  });
});
