/**
 * One measured engine (the `sync` command's runSync, or a `worker` process) of one src/ tree over
 * a fleet behind the emulator: a cold pass (every image new) and a warm one (nothing changed),
 * each with the CPU of every process the product runs on (the sync or worker process, its
 * Postgres backends, its private Redis), the statements and round trips it sent to Postgres and
 * the Redis commands it ran. Each engine gets a fresh database, and the worker a fresh Redis.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { BackendCpu, cpuBetween } from './backend-cpu.js';
import { adminUrl, createBenchDatabase } from './bench-database.js';
import type { EmulatorKey } from './emulator-process.js';
import { childScript, forkChild } from './fork-child.js';
import { startPgCountingProxy, viaProxy } from './pg-counting-proxy.js';
import { startPrivateRedis, statsBetween, type RedisStats } from './private-redis.js';

export interface RegionCostChildInput {
  src: string;
  databaseUrl: string;
  emulatorUrl: string;
  keys: EmulatorKey[];
  regions?: string[];
  concurrency: number;
}

export interface RegionCostPass {
  type: 'pass';
  cpuMs: number;
  status: string;
  regions: number;
  images: number;
}

export interface MeasuredPass {
  regions: number;
  status: string;
  processCpuMs: number;
  /** null when the backends' /proc entries could not be read (Postgres elsewhere). */
  postgresCpuMs: number | null;
  redis: RedisStats | null;
  statements: number;
  roundTrips: number;
}

export type Engine = 'sync' | 'worker';

export interface EngineSpec {
  engine: Engine;
  src: string;
  emulatorUrl: string;
  keys: EmulatorKey[];
  regions?: string[];
  concurrency: number;
  passes: number;
}

type ChildMessage = { type: 'ready' } | RegionCostPass | { type: 'enqueued'; runId: string } | { type: 'cpu'; ms: number };

export async function measureEngine(spec: EngineSpec): Promise<MeasuredPass[]> {
  const db = await createBenchDatabase({ maxConnections: 2 });
  const target = new URL(db.url);
  const proxy = await startPgCountingProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const backends = new BackendCpu(adminUrl());
  const redis = spec.engine === 'worker' ? await startPrivateRedis() : null;
  const direct = postgres(db.url, { max: 1, onnotice: () => {} });
  const base: RegionCostChildInput = {
    src: spec.src, databaseUrl: viaProxy(db.url, proxy.port), emulatorUrl: spec.emulatorUrl, keys: spec.keys,
    concurrency: spec.concurrency, ...(spec.regions ? { regions: spec.regions } : {}),
  };
  // Profiles, when wanted, are taken per measured pass inside the children (BENCH_PASS_PROFILE_DIR, pass-profiler.ts).
  const child = spec.engine === 'sync'
    ? forkChild<ChildMessage>(childScript('region-cost-sync.ts'), base)
    : forkChild<ChildMessage>(childScript('region-cost-worker.ts'), { ...base, redisUrl: redis?.url, prefix: `rc-${randomBytes(3).toString('hex')}` });
  try {
    const ready = await child.next();
    if (ready.type !== 'ready') throw new Error(`region-cost child: expected ready, got ${ready.type}`);
    const passes: MeasuredPass[] = [];
    for (let i = 0; i < spec.passes; i += 1) {
      const counts0 = proxy.counts();
      const cpu0 = await backends.snapshot(proxy.upstreamPorts());
      const redis0 = await redis?.stats();
      let processCpuMs: number;
      let status: string;
      let regions: number;
      if (spec.engine === 'sync') {
        child.child.send({ type: 'pass' });
        const pass = await child.next();
        if (pass.type !== 'pass') throw new Error(`region-cost child: expected pass, got ${pass.type}`);
        ({ cpuMs: processCpuMs, status, regions } = pass);
      } else {
        child.child.send({ type: 'cpu-mark' });
        child.child.send({ type: 'run' });
        const enqueued = await child.next();
        if (enqueued.type !== 'enqueued') throw new Error(`region-cost child: expected enqueued, got ${enqueued.type}`);
        const run = await waitForRun(direct, enqueued.runId);
        child.child.send({ type: 'cpu-report' });
        const cpu = await child.next();
        processCpuMs = cpu.type === 'cpu' ? cpu.ms : Number.NaN;
        status = run.status;
        regions = run.regions_total;
      }
      const cpu1 = await backends.snapshot(proxy.upstreamPorts());
      const counts1 = proxy.counts();
      const redis1 = await redis?.stats();
      passes.push({
        regions, status, processCpuMs,
        postgresCpuMs: backends.available ? cpuBetween(cpu0, cpu1) : null,
        redis: redis0 && redis1 ? statsBetween(redis0, redis1) : null,
        statements: counts1.statements - counts0.statements,
        roundTrips: counts1.roundTrips - counts0.roundTrips,
      });
    }
    child.child.send({ type: 'stop' });
    await child.exited;
    return passes;
  } finally {
    if (child.child.exitCode === null) child.child.kill('SIGTERM');
    await child.exited;
    await direct.end({ timeout: 5 });
    await backends.close();
    await proxy.close();
    await redis?.stop();
    await db.drop();
  }
}

async function waitForRun(sql: postgres.Sql, runId: string): Promise<{ status: string; regions_total: number }> {
  const deadline = Date.now() + 900_000;
  for (;;) {
    const [row] = await sql<Array<{ status: string; regions_total: number }>>`select status, regions_total from swas.sync_runs where id = ${runId}`;
    if (row && row.status !== 'running') return row;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not finish in 15 minutes`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** CPU of the bare SDK calls of one pass (the same calls, the same concurrency). */
export async function measureSdkCalls(spec: Omit<EngineSpec, 'engine'> & { regionIds: string[] }): Promise<number[]> {
  const child = forkChild<ChildMessage>(childScript('region-cost-sdk.ts'), {
    src: spec.src, databaseUrl: '', emulatorUrl: spec.emulatorUrl, keys: spec.keys, concurrency: spec.concurrency, regionIds: spec.regionIds,
  });
  try {
    const ready = await child.next();
    if (ready.type !== 'ready') throw new Error('sdk child: expected ready');
    const out: number[] = [];
    for (let i = 0; i < spec.passes; i += 1) {
      child.child.send({ type: 'pass' });
      const pass = await child.next();
      if (pass.type !== 'pass') throw new Error('sdk child: expected pass');
      out.push(pass.cpuMs / pass.regions);
    }
    child.child.send({ type: 'stop' });
    return out;
  } finally {
    if (child.child.exitCode === null) child.child.kill('SIGTERM');
    await child.exited;
  }
}
