/**
 * The worker as a process, for the tests where the process is the point (signals, a SIGKILL
 * mid-job, Postgres restarted under it): the built program's `worker` command, started through
 * the one launcher (test/helpers/processes.ts) with what a deployment gives it (the world's
 * emulator, accounts file and keys, the test's database and queue prefix), awaited until it says
 * it is ready, and killed in one place.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { World } from '../worker/worker-test-kit.js';
import { killIfRunning, launch, type Launched } from './processes.js';
import { testRedisUrl } from './redis.js';

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything the process wrote to stderr (its JSON log). */
  logs(): string;
  stdout(): string;
  /** Its exit, once both pipes are drained. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  launched: Launched;
}

/** `subscriptions`: webhook subscriptions as the accounts file declares them (secrets by variable name). */
export function accountsFile(world: World, subscriptions?: readonly object[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'swas-worker-'));
  const path = join(dir, 'accounts.json');
  writeFileSync(path, JSON.stringify({
    accounts: world.accounts.map((a) => ({ name: a.name, credentials: a.credentials, callsPerSecond: a.callsPerSecond })),
    ...(subscriptions ? { subscriptions } : {}),
  }));
  return path;
}

export interface SpawnOptions {
  /** Written to the accounts file beside the accounts; the process is ready once its notifier started too. */
  subscriptions?: readonly object[];
  /** More environment (the variables the subscriptions' `secretEnv` name). */
  env?: Record<string, string>;
}

/** `swas-inventory worker <args>` on the world's emulator, `databaseUrl` and `prefix`, logging at info. */
export function spawnWorker(world: World, databaseUrl: string, prefix: string, args: readonly string[], options: SpawnOptions = {}): WorkerProcess {
  const launched = launch(['worker', ...args], {
    ...world.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: prefix,
    SWAS_ENDPOINT: world.emu.url,
    SWAS_REGIONS: world.regions.join(','),
    SWAS_CONFIG: accountsFile(world, options.subscriptions),
    HTTP_PORT: '0',
    LOG_LEVEL: 'info',
    ...options.env,
  });
  return {
    child: launched.child,
    logs: launched.stderr,
    stdout: launched.stdout,
    exited: launched.exited.then(({ code, signal }) => ({ code, signal })),
    launched,
  };
}

/**
 * Resolves once the process logged "worker started" (and "notifier started" when `notifier`);
 * fails at once, with its log, if it exits first. Checked at each chunk of its output, not polled.
 */
export async function waitForWorkerStarted(proc: WorkerProcess, options: { notifier?: boolean; timeoutMs?: number } = {}): Promise<void> {
  const ready = ['"worker started"', ...(options.notifier === true ? ['"notifier started"'] : [])];
  await proc.launched.when(() => ready.every((line) => proc.logs().includes(line)), `the worker process to log ${ready.join(' and ')}`, options.timeoutMs ?? 60_000);
}

/** `spawnWorker`, then `waitForWorkerStarted` (the notifier too when it has subscriptions); a worker that never got ready is killed. */
export async function startWorkerProcess(world: World, databaseUrl: string, prefix: string, args: readonly string[], options: SpawnOptions = {}): Promise<WorkerProcess> {
  const proc = spawnWorker(world, databaseUrl, prefix, args, options);
  try {
    await waitForWorkerStarted(proc, { notifier: options.subscriptions !== undefined });
  } catch (err) {
    await killWorker(proc);
    throw err;
  }
  return proc;
}

/** SIGKILL unless it already ended (or was never started); resolves once it has. */
export async function killWorker(proc: WorkerProcess | undefined): Promise<void> {
  await killIfRunning(proc?.launched);
}
