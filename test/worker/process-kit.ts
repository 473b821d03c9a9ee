/** Starting the worker as a child process (the built binary's `worker` command, not tsx), to signal it like an orchestrator would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor, type World } from './worker-test-kit.js';
import { BUILT_MAIN } from '../helpers/built-program.js';
import { testRedisUrl } from '../helpers/redis.js';

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything the process wrote to stderr (its JSON log). */
  logs(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
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
  /** Written to the accounts file beside the accounts. */
  subscriptions?: readonly object[];
  /** More environment (the variables the subscriptions' `secretEnv` name). */
  env?: Record<string, string>;
}

export function spawnWorker(world: World, databaseUrl: string, prefix: string, args: string[], options: SpawnOptions = {}): WorkerProcess {
  const child = spawn(process.execPath, [BUILT_MAIN, 'worker', ...args], {
    env: {
      PATH: process.env.PATH ?? '',
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
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  child.stdout?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.on('exit', (code, signal) => resolveExit({ code, signal }));
  });
  return { child, logs: () => stderr, exited };
}

/** Resolves once the process logged "worker started"; fails at once (with its log) if it exits first. */
export async function waitForWorkerStarted(proc: WorkerProcess, timeoutMs = 60_000): Promise<void> {
  await waitFor('the worker process to start', async () => {
    if (proc.child.exitCode !== null) throw new Error(`worker exited early:\n${proc.logs()}`);
    return proc.logs().includes('"worker started"');
  }, timeoutMs);
}

/** SIGKILL unless it already ended; resolves once it has. */
export async function killWorker(proc: WorkerProcess): Promise<void> {
  if (proc.child.exitCode === null && proc.child.signalCode === null) {
    proc.child.kill('SIGKILL');
    await proc.exited;
  }
}
