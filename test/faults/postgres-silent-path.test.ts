// @long-running: 60 s of silence on the Postgres path
/**
 * A silent network path between a worker PROCESS and Postgres (issue 20): a loopback TCP proxy in
 * front of the test's database stops forwarding for 60 s without closing anything, mid-run (region
 * transactions open), then forwards again; over plain TCP and over TLS (`sslmode=verify-full`, a
 * private CA, a private cluster serving TLS). Every region attempt that ran during the silence ends
 * within the longest documented wait for an answer (src/db/postgres-options.ts: statement 30 s,
 * cancel 5 s, an answer at all 40 s, connect 10 s) after the later of its start and the silence,
 * so the ones in flight fail while the path is still silent; the process lives, loses nothing,
 * records nothing twice and resumes by itself; the inventory is exact afterwards.
 *
 * Before the fixes this checks: over plain TCP one attempt failed at the answer deadline (40.0 s)
 * and the others, queued behind that one stuck statement in the hot-path batcher
 * (src/db/statement-batcher.ts), waited out the whole silence; over TLS the answer deadline saw
 * nothing (it watched the plain socket beneath the driver's TLS layer).
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/open-database.js';
import { ANSWER_GRACE_S, CANCEL_TIMEOUT_S, QUERY_TIMEOUT_S } from '../../src/db/postgres-options.js';
import { createTestDatabaseUrl } from '../helpers/databases.js';
import { openTestQueues } from '../helpers/redis.js';
import { startSilentableProxy, type SilentableProxy } from '../helpers/silent-proxy.js';
import { startTlsPostgres, type TlsPostgres } from '../helpers/tls-certificates.js';
import { killWorker, startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';
import { startWorld, waitFor, type World } from '../worker/worker-test-kit.js';
import { LISTING_MS, runSilentPathScenario, SILENCE_MS } from './silent-path-scenario.js';
import { SummaryRecorder } from './summary.js';

const rec = new SummaryRecorder(import.meta.filename);
/** The longest documented wait for an answer from Postgres (the answer deadline, 40 s). */
const ANSWER_MS = (QUERY_TIMEOUT_S + CANCEL_TIMEOUT_S + ANSWER_GRACE_S) * 1000;
/** An attempt's own listing (slowed to 1 s) may run during the silence too; 4 s more for a loaded machine. */
const ATTEMPT_BOUND_MS = ANSWER_MS + LISTING_MS + 4_000;
const ATTEMPT_ENDS = new Set(['region synced', 'region attempt failed; retrying the whole region', 'region failed']);

interface LogLine {
  msg: string; time: number; level: number; err?: unknown;
  runId?: string; account?: string; regionId?: string; attempt?: number; seconds?: number;
}

function logLines(proc: WorkerProcess): LogLine[] {
  return proc.logs().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
}

interface Path {
  /** The worker's DATABASE_URL, through the proxy. */
  workerUrl: string;
  /** The test's own URL to the same database, not through the proxy. */
  readerUrl: string;
  env?: Record<string, string>;
  proxy: SilentableProxy;
}

async function silentPostgresPath(world: World, path: Path, label: string): Promise<void> {
  const queues = openTestQueues('fpgs');
  const reader: DatabaseHandle = await openDatabase({ databaseUrl: path.readerUrl, maxConnections: 2 });
  let silentAt = Number.POSITIVE_INFINITY;
  let proc: WorkerProcess | undefined;
  try {
    proc = await startWorkerProcess(world, path.workerUrl, queues.prefix, ['--no-schedule', '--concurrency', '4'], path.env ? { env: path.env } : {});
    const worker = proc;
    const times = await runSilentPathScenario({
      world, db: reader.db, runs: queues.runs, proxy: path.proxy, eventStats: rec.eventStats, label,
      whileSilent: async (at) => {
        silentAt = at;
        const noticed = await waitFor('the worker to log the silent path', async () =>
          logLines(worker).find((l) => l.time >= at && l.level >= 40), ATTEMPT_BOUND_MS + 10_000, 200);
        expect(noticed.time - at).toBeLessThan(SILENCE_MS);
        process.stderr.write(`${label} first warning ${noticed.time - at} ms after the path went silent: ${noticed.msg} ${JSON.stringify(noticed.err ?? '').slice(0, 300)}\n`);
        expect(worker.child.exitCode, worker.logs()).toBeNull();
      },
    });

    // Every attempt of the interrupted run that ran while the path was silent ended (failed, or
    // was answered once the path was back) within the answer deadline of the later of its start
    // and the silence: `seconds` is how long it ran once it had its slot.
    const ends = logLines(proc).filter((l) => l.runId === times.runId && ATTEMPT_ENDS.has(l.msg) && l.time >= times.silentAt);
    for (const l of ends) expect(typeof l.seconds, JSON.stringify(l)).toBe('number');
    const attempts = ends
      .map((l) => {
        const started = l.time - (l.seconds as number) * 1000;
        return {
          region: `${l.account}/${l.regionId}#${l.attempt}`, outcome: l.msg === 'region synced' ? 'synced' : 'failed',
          started, startedMs: Math.round(started - times.silentAt), endedMs: l.time - times.silentAt,
          waitedMs: Math.round(l.time - Math.max(started, times.silentAt)),
        };
      })
      .filter((a) => a.started < times.resumedAt);
    process.stderr.write(`${label} path back at ${times.resumedAt - times.silentAt} ms; attempts that ran during the silence (ms from its start; bound ${ATTEMPT_BOUND_MS}):\n${
      attempts.map((a) => `  ${a.region} started ${a.startedMs} ${a.outcome} at ${a.endedMs} (waited ${a.waitedMs})`).join('\n')}\n`);
    expect(attempts.filter((a) => a.outcome === 'failed').length, 'attempts failed while the path was silent').toBeGreaterThan(0);
    expect(attempts.filter((a) => a.waitedMs > ATTEMPT_BOUND_MS), 'attempts that waited past the bound').toEqual([]);
    expect(proc.child.exitCode, proc.logs()).toBeNull();
    expect(proc.logs()).not.toMatch(/uncaught|TypeError/i);
  } finally {
    if (proc) process.stderr.write(`${label} worker log after the silence:\n${logLines(proc).filter((l) => l.time >= silentAt).map((l) => `${l.time - silentAt} ms ${l.msg} ${l.regionId ?? ''} ${JSON.stringify(l.err ?? '').slice(0, 200)}`).join('\n')}\n`);
    await killWorker(proc);
    await reader.close();
    await queues.close();
  }
}

const REGIONS = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'];

// The plain and the TLS path each wait out a 60 s silence, on their own world, database, proxy and
// Redis prefix: run side by side, the file waits one silence, not two.
describe.concurrent('fault matrix: a silent network path to Postgres, plain and TLS', () => {
  describe('fault matrix: a silent network path to Postgres', () => {
    let world: World;
    let database: { url: string; drop: () => Promise<void> };
    let proxy: SilentableProxy;

    beforeAll(async () => {
      world = await startWorld({ accounts: 2, regions: REGIONS, imagesPerRegion: 3 });
      database = await createTestDatabaseUrl();
      proxy = await startSilentableProxy(Number(new URL(database.url).port), new URL(database.url).hostname);
    });
    afterAll(async () => {
      rec.flush();
      await proxy?.close();
      await database?.drop();
      await world?.emu.stop();
    });

    rec.scenario('60 s of silence on the Postgres path mid-run: every attempt in flight fails within the answer deadline, the process lives, nothing lost or doubled, resumes by itself', async () => {
      const viaProxy = new URL(database.url);
      viaProxy.port = String(proxy.port);
      await silentPostgresPath(world, { workerUrl: viaProxy.toString(), readerUrl: database.url, proxy }, '[pg-silent-path]');
    }, 420_000);
  });

  describe('fault matrix: a silent network path to Postgres over TLS (verify-full, private CA)', () => {
    let world: World;
    let server: TlsPostgres;
    let proxy: SilentableProxy;

    beforeAll(async () => {
      server = await startTlsPostgres();
      world = await startWorld({ accounts: 2, regions: REGIONS, imagesPerRegion: 3 });
      proxy = await startSilentableProxy(server.pg.port);
    }, 120_000);
    afterAll(async () => {
      rec.flush();
      await proxy?.close();
      await world?.emu.stop();
      await server?.destroy();
    });

    rec.scenario('60 s of silence on a TLS path to Postgres mid-run: every attempt in flight fails within the answer deadline, nothing lost or doubled, resumes by itself', async () => {
      // The certificate names `localhost`; the proxy listens on 127.0.0.1.
      const workerUrl = `postgres://postgres@localhost:${proxy.port}/postgres?sslmode=verify-full`;
      const readerUrl = `postgres://postgres@localhost:${server.pg.port}/postgres?sslmode=verify-full&sslrootcert=${server.ca}`;
      await silentPostgresPath(world, { workerUrl, readerUrl, env: { PGSSLROOTCERT: server.ca }, proxy }, '[pg-tls-silent-path]');
    }, 420_000);
  });
});
