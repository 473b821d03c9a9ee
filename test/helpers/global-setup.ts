/**
 * Finds Postgres and Redis for the test run, once:
 *   1. DATABASE_URL / REDIS_URL when set (CI and these machines: local servers);
 *   2. else testcontainers, when a Docker engine answers;
 *   3. else tests that need them fail with a message saying how to provide them.
 * For Postgres it migrates one template database; each test file clones its own from it
 * (graphile-worker's pattern), so files run in parallel without sharing data. For PGlite likewise:
 * one migrated cluster (test/helpers/pglite-template.ts) that each embedded test database loads.
 * And it builds dist/ for the process tests (test/helpers/built-program.ts).
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/open-database.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { buildForTests } from './built-program.js';
import { pgliteTemplateFile } from './pglite-template.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of a Postgres server, or '' when none is available. */
    pgAdminUrl: string;
    /** A migrated database to clone with CREATE DATABASE ... TEMPLATE. */
    pgTemplate: string;
    redisUrl: string;
    /** Why Postgres is missing ('' when it is there), for a clear failure in the tests that need it. */
    pgProblem: string;
    /** Why Redis is missing ('' when it is there). */
    redisProblem: string;
    /** A file holding a migrated PGlite cluster (a `dumpDataDir` tarball) for `loadDataDir`. */
    pgliteTemplate: string;
  }
}

const HOW = 'Set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) and REDIS_URL ' +
  '(e.g. redis://127.0.0.1:6379), or start a Docker engine so testcontainers can run them.';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<unknown>> = [];
  // Both are cached between runs (built on a clean clone, or when their sources change), at once.
  const [pgliteTemplate] = await Promise.all([pgliteTemplateFile(), buildForTests()]);
  project.provide('pgliteTemplate', pgliteTemplate);
  let pgAdminUrl = process.env.DATABASE_URL ?? '';
  let redisUrl = process.env.REDIS_URL ?? '';
  let problem = '';

  if (!pgAdminUrl || !redisUrl) {
    const started = await startContainers(!pgAdminUrl, !redisUrl).catch((err: unknown) => {
      problem = String((err as Error).message ?? err);
      return undefined;
    });
    if (started) {
      pgAdminUrl ||= started.pgUrl ?? '';
      redisUrl ||= started.redisUrl ?? '';
      stops.push(started.stop);
    }
  }

  let pgTemplate = '';
  if (pgAdminUrl) {
    pgTemplate = `swas_tpl_${randomBytes(4).toString('hex')}`;
    const admin = postgres(pgAdminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${pgTemplate}`);
    const handle = await openDatabase({ databaseUrl: withDatabase(pgAdminUrl, pgTemplate), maxConnections: 1 });
    await migrateDatabase(handle);
    await handle.close();
    stops.push(async () => {
      await admin.unsafe(`drop database if exists ${pgTemplate} with (force)`);
      await admin.end();
    });
  }

  project.provide('pgAdminUrl', pgAdminUrl);
  project.provide('pgTemplate', pgTemplate);
  project.provide('redisUrl', redisUrl);
  const missing = (what: string, url: string) => (url ? '' : `No ${what} for the tests${problem ? ` (${problem})` : ''}. ${HOW}`);
  project.provide('pgProblem', missing('Postgres', pgAdminUrl));
  project.provide('redisProblem', missing('Redis', redisUrl));
  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function startContainers(needPg: boolean, needRedis: boolean): Promise<{
  pgUrl?: string; redisUrl?: string; stop: () => Promise<void>;
}> {
  // Imported lazily: testcontainers probes for Docker at import on some versions.
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  await getContainerRuntimeClient(); // throws when no engine answers
  const result: { pgUrl?: string; redisUrl?: string; stop: () => Promise<void> } = { stop: async () => {} };
  const containers: Array<{ stop: () => Promise<unknown> }> = [];
  if (needPg) {
    const pg = await new GenericContainer('postgres:15')
      .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start();
    containers.push(pg);
    result.pgUrl = `postgres://postgres@${pg.getHost()}:${pg.getMappedPort(5432)}/postgres`;
  }
  if (needRedis) {
    const redis = await new GenericContainer('redis:7').withExposedPorts(6379).start();
    containers.push(redis);
    result.redisUrl = `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`;
  }
  result.stop = async () => { for (const c of containers) await c.stop(); };
  return result;
}
