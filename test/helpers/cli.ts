/**
 * Runs `swas-inventory <args>` in this process, through the program's own `runCli` (the entry
 * point's only call), with exactly the environment given, stdout and stderr as pipes, and returns
 * what a process would have shown: its exit code and its output. For every command test where a
 * real process is not the point; those use test/helpers/processes.ts.
 *
 * The environment, the two streams and process.exitCode are the process's own, so command runs are
 * queued (one at a time per test file, whatever the test awaits in parallel) and everything is
 * put back after each.
 */
import { runCli } from '../../src/cli/program.js';
import { USER_ENV } from './processes.js';

export interface CommandResult { code: number; stdout: string; stderr: string }

let queue: Promise<unknown> = Promise.resolve();

/** `env` is the whole environment (plus PATH, HOME and LOG_LEVEL=warn unless given); undefined leaves a variable out. */
export function runCommand(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CommandResult> {
  const run = queue.then(() => runAlone(args, { PATH: process.env.PATH, ...USER_ENV, ...env }));
  queue = run.catch(() => {});
  return run;
}

async function runAlone(args: readonly string[], env: Record<string, string | undefined>): Promise<CommandResult> {
  const out = { stdout: '', stderr: '' };
  const restoreEnv = replaceEnv(env);
  const restoreStreams = [captureStream(process.stdout, (s) => { out.stdout += s; }), captureStream(process.stderr, (s) => { out.stderr += s; })];
  const signalListeners = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  const exitCodeBefore = process.exitCode;
  process.exitCode = undefined;
  let code: number;
  try {
    code = await runCli(['node', 'swas-inventory', ...args]);
  } finally {
    process.exitCode = exitCodeBefore;
    for (const restore of restoreStreams) restore();
    restoreEnv();
  }
  // A command removes the signal handlers it installed; one it left behind would answer the next test's signals.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const leftover = process.listeners(signal).filter((l) => !signalListeners[signal].includes(l));
    if (leftover.length > 0) throw new Error(`swas-inventory ${args.join(' ')} left ${leftover.length} ${signal} handler(s) installed`);
  }
  return { code, ...out };
}

/**
 * Replaces process.env's contents in place (modules that kept a reference to it see the change),
 * keeping only vitest's own variables; returns the undo.
 */
function replaceEnv(env: Record<string, string | undefined>): () => void {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (!key.startsWith('VITEST')) delete process.env[key];
  for (const [key, value] of Object.entries(env)) if (value !== undefined) process.env[key] = value;
  return () => {
    for (const key of Object.keys(process.env)) delete process.env[key];
    Object.assign(process.env, saved);
  };
}

/** The stream writes into `sink` and reads as a pipe (not a terminal), as a child's would; returns the undo. */
function captureStream(stream: NodeJS.WriteStream, sink: (text: string) => void): () => void {
  const write = Object.getOwnPropertyDescriptor(stream, 'write');
  const isTTY = Object.getOwnPropertyDescriptor(stream, 'isTTY');
  stream.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean => {
    sink(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  }) as typeof stream.write;
  Object.defineProperty(stream, 'isTTY', { value: false, configurable: true, writable: true });
  return () => {
    if (write) Object.defineProperty(stream, 'write', write);
    else delete (stream as { write?: unknown }).write;
    if (isTTY) Object.defineProperty(stream, 'isTTY', isTTY);
    else delete (stream as { isTTY?: unknown }).isTTY;
  };
}
