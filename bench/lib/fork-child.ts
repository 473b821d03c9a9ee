/**
 * Runs a bench/child script in a FRESH Node process (`node --import tsx`), so what it measures
 * (time, peak RSS, a CPU profile) belongs to that process alone and not to the runner's heap.
 * Input goes in as JSON on argv, except the emulator's access keys (an input's `keys` field): those
 * go in the child's environment (BENCH_KEY_COUNT, BENCH_KEY_<i>_ID/_SECRET/_UID), because a command
 * line is readable by every user in `ps`, and because one argument is capped at 128 KB by Linux
 * (5,000 accounts' keys as JSON are about 500 KB). Results come back as IPC messages.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ForkedChild<M> {
  child: ChildProcess;
  /** The next message the child sends (rejects if it exits first). */
  next(): Promise<M>;
  /** Resolves with the exit code once the child has exited. */
  exited: Promise<number>;
}

export interface ForkOptions {
  /** Extra Node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function childScript(name: string): string {
  return fileURLToPath(new URL(`../child/${name}`, import.meta.url));
}

export function forkChild<M>(script: string, input: unknown, options: ForkOptions = {}): ForkedChild<M> {
  const { argv, keyEnv } = splitKeys(input);
  const child = fork(script, [JSON.stringify(argv)], {
    execArgv: ['--import', 'tsx', ...(options.nodeArgs ?? [])],
    env: { ...process.env, ...options.env, ...keyEnv },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const queue: M[] = [];
  const waiters: Array<{ resolve: (m: M) => void; reject: (e: Error) => void }> = [];
  let exitCode: number | null = null;
  child.on('message', (m) => {
    const waiter = waiters.shift();
    if (waiter) waiter.resolve(m as M);
    else queue.push(m as M);
  });
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => {
      exitCode = code ?? (signal ? 128 : 1);
      for (const w of waiters.splice(0)) w.reject(new Error(`${script} exited (${code ?? signal}) before sending a result`));
      resolve(exitCode);
    });
  });
  return {
    child,
    exited,
    next: () => {
      const queued = queue.shift();
      if (queued !== undefined) return Promise.resolve(queued);
      if (exitCode !== null) return Promise.reject(new Error(`${script} exited (${exitCode}) before sending a result`));
      return new Promise<M>((resolve, reject) => waiters.push({ resolve, reject }));
    },
  };
}

interface ChildKey { uid: string; accessKeyId: string; accessKeySecret: string }

const KEY_COUNT = 'BENCH_KEY_COUNT';

function splitKeys(input: unknown): { argv: unknown; keyEnv: NodeJS.ProcessEnv } {
  if (typeof input !== 'object' || input === null || !('keys' in input) || !Array.isArray(input.keys)) return { argv: input, keyEnv: {} };
  const { keys, ...argv } = input as { keys: ChildKey[] };
  const keyEnv: NodeJS.ProcessEnv = { [KEY_COUNT]: String(keys.length) };
  keys.forEach((k, i) => {
    keyEnv[`BENCH_KEY_${i}_ID`] = k.accessKeyId;
    keyEnv[`BENCH_KEY_${i}_SECRET`] = k.accessKeySecret;
    keyEnv[`BENCH_KEY_${i}_UID`] = k.uid;
  });
  return { argv, keyEnv };
}

/** Reads a child's JSON input (argv[2]), with `keys` put back from the environment when the parent sent some. */
export function childInput<T>(): T {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('bench child: expected its input as JSON in argv[2]');
  const input = JSON.parse(raw) as T;
  const count = process.env[KEY_COUNT];
  if (count === undefined) return input;
  const keys: ChildKey[] = [];
  for (let i = 0; i < Number(count); i += 1) {
    keys.push({
      uid: process.env[`BENCH_KEY_${i}_UID`] ?? '',
      accessKeyId: process.env[`BENCH_KEY_${i}_ID`] ?? '',
      accessKeySecret: process.env[`BENCH_KEY_${i}_SECRET`] ?? '',
    });
  }
  return { ...input, keys };
}

/** Sends one message to the parent and waits until it is flushed. */
export function sendToParent(message: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send) {
      process.stdout.write(`${JSON.stringify(message)}\n`);
      resolve();
      return;
    }
    process.send(message, undefined, {}, (err) => (err ? reject(err) : resolve()));
  });
}
