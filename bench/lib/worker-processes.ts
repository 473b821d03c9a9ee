/**
 * Starts N worker processes (bench/child/worker.ts) sharing one Redis prefix, asks the first one
 * to enqueue a run and time it, stops them, and removes the prefix's Redis keys (and only those:
 * never FLUSHALL).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { EmulatorKey } from './emulator-process.js';
import { childScript, forkChild, type ForkedChild } from './fork-child.js';
import type { FinishedRunLike } from './worker-module.js';

export interface WorkerChildInput {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  emulatorUrl: string;
  keys: EmulatorKey[];
  callsPerSecond: number;
  concurrency: number;
  /** SWAS_REGIONS for the workers: only these regions (default every region ListRegions returns). */
  regions?: string[];
}

export type WorkerChildMessage =
  | { type: 'ready' }
  | { type: 'unavailable'; reason: string }
  | { type: 'run-result'; startedAt: number; ms: number; runId: string; run: FinishedRunLike }
  | { type: 'run-error'; message: string }
  | { type: 'cpu'; ms: number; maxRssBytes?: number };

export interface WorkerRunTiming {
  /** Epoch ms the run was enqueued. */
  startedAt: number;
  ms: number;
  run: FinishedRunLike;
  /** CPU time (user + system) all worker processes spent during the run. */
  workerCpuMs: number;
  /** The largest peak RSS of the worker processes so far (getrusage: since each started). */
  maxRssBytes: number;
}

export function redisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/**
 * Times `runs` runs in a row on `processes` worker processes (the later ones warm: regions
 * cached, images stored); returns the reason instead if the worker is unavailable.
 */
export async function timeWorkerRuns(
  base: Omit<WorkerChildInput, 'prefix' | 'redisUrl'> & { redisUrl?: string },
  processes: number,
  /** Node flags for the worker processes, e.g. `--cpu-prof` to see where a region job's CPU goes. */
  nodeArgs: string[] = [],
  runs = 1,
  /** Called before each run starts and after it ends (the scale case reads the emulator's log and Postgres around each). */
  around?: { before(i: number): Promise<void> | void; after(i: number, timing: WorkerRunTiming): Promise<void> | void },
): Promise<{ timings: WorkerRunTiming[] } | { unavailable: string }> {
  const prefix = `bench7-${randomBytes(4).toString('hex')}`;
  const input: WorkerChildInput = { ...base, prefix, redisUrl: base.redisUrl ?? redisUrl() };
  const children: Array<ForkedChild<WorkerChildMessage>> = [];
  try {
    for (let i = 0; i < processes; i += 1) children.push(forkChild<WorkerChildMessage>(childScript('worker.ts'), input, { nodeArgs }));
    const hellos = await Promise.all(children.map((c) => c.next()));
    const unavailable = hellos.find((m) => m.type === 'unavailable');
    if (unavailable?.type === 'unavailable') return { unavailable: unavailable.reason };
    const driver = children[0]!;
    const timings: WorkerRunTiming[] = [];
    for (let i = 0; i < runs; i += 1) {
      await around?.before(i);
      for (const c of children) c.child.send({ type: 'cpu-mark' });
      driver.child.send({ type: 'run' });
      const result = await driver.next();
      if (result.type === 'run-error') throw new Error(`worker run failed: ${result.message}`);
      if (result.type !== 'run-result') throw new Error(`unexpected worker message ${result.type}`);
      for (const c of children) c.child.send({ type: 'cpu-report' });
      const cpu = await Promise.all(children.map((c) => c.next()));
      timings.push({
        startedAt: result.startedAt, ms: result.ms, run: result.run, workerCpuMs: cpu.reduce((n, m) => n + (m.type === 'cpu' ? m.ms : 0), 0),
        maxRssBytes: Math.max(0, ...cpu.map((m) => (m.type === 'cpu' ? m.maxRssBytes ?? 0 : 0))),
      });
      await around?.after(i, timings.at(-1) as WorkerRunTiming);
    }
    return { timings };
  } finally {
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGTERM');
    await Promise.all(children.map((c) => c.exited));
    await deletePrefix(prefix, input.redisUrl);
  }
}

export async function deletePrefix(prefix: string, url = redisUrl()): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 2 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
