/**
 * One launcher for the tests where a real process is the point (signals, exit codes, locks, pipes,
 * a process killed mid-run): the built program (test/helpers/built-program.ts) with exactly the
 * environment given plus PATH, so nothing of the test's own environment leaks in. Everything else
 * runs commands in-process (test/helpers/cli.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BUILT_MAIN, builtFixture } from './built-program.js';

/** What a user's shell gives a command here unless the test says otherwise (no home folder, warnings only). */
export const USER_ENV = { HOME: '/nonexistent-home', LOG_LEVEL: 'warn' } as const;

export interface Exit { code: number | null; signal: NodeJS.Signals | null }

export interface Launched {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The exit once it happened, else null (for a probe that must not await). */
  exit(): Exit | null;
  exited: Promise<Exit & { ms: number }>;
  /**
   * Resolves once `check` holds, tested now and at each chunk of output; rejects with the process's
   * output if it exits first or after `timeoutMs` (default 60 s).
   */
  when(check: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** `when` the stream (default stderr) contains `pattern`. */
  output(pattern: RegExp | string, stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<void>;
}

export interface LaunchOptions {
  /** A test fixture (its .ts path from the package root) to run instead of the program. */
  fixture?: string;
  /** Node's own options, before the entry (e.g. `--import` of a built fixture). */
  nodeArgs?: readonly string[];
}

/** Starts `swas-inventory <args>` (or a built fixture) with `env` plus PATH; variables set to undefined are left out. */
export function launch(args: readonly string[], env: Record<string, string | undefined>, options: LaunchOptions = {}): Launched {
  const started = Date.now();
  const entry = options.fixture === undefined ? BUILT_MAIN : builtFixture(options.fixture);
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), entry, ...args], {
    env: definedOnly({ PATH: process.env.PATH ?? '', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const text = { stdout: '', stderr: '' };
  let exit: Exit | null = null;
  child.stdout.on('data', (c: Buffer) => { text.stdout += c.toString('utf8'); });
  child.stderr.on('data', (c: Buffer) => { text.stderr += c.toString('utf8'); });
  // 'close', not 'exit': both pipes are drained, so stdout() and stderr() are complete when it resolves.
  const exited = new Promise<Exit & { ms: number }>((done) => {
    child.once('close', (code, signal) => {
      exit = { code, signal };
      done({ code, signal, ms: Date.now() - started });
    });
  });
  const when = (check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> => {
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const settle = (err?: Error): void => {
        child.stdout.off('data', onData);
        child.stderr.off('data', onData);
        child.off('close', onClose);
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const onData = (): void => { if (check()) settle(); };
      const onClose = (code: number | null, signal: NodeJS.Signals | null): void => {
        settle(check() ? undefined : new Error(`the process exited (${code ?? signal}) before ${what}:\n${text.stdout}\n${text.stderr}`));
      };
      const timer = setTimeout(() => settle(new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${text.stdout}\n${text.stderr}`)), timeoutMs);
      // Registered after the collectors above, so the text includes the chunk that just arrived.
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('close', onClose);
    });
  };
  const output = (pattern: RegExp | string, stream: 'stdout' | 'stderr' = 'stderr', timeoutMs?: number): Promise<void> =>
    when(() => (typeof pattern === 'string' ? text[stream].includes(pattern) : pattern.test(text[stream])), `${String(pattern)} on ${stream}`, timeoutMs);
  return { child, stdout: () => text.stdout, stderr: () => text.stderr, exit: () => exit, exited, when, output };
}

/** Runs a launched process to its end: its exit and everything it wrote. */
export async function runProcess(args: readonly string[], env: Record<string, string | undefined>, options: LaunchOptions = {}) {
  const p = launch(args, env, options);
  const exit = await p.exited;
  return { ...exit, stdout: p.stdout(), stderr: p.stderr() };
}

/** SIGKILLs a launched process that is still running and waits for it (for afterEach). */
export async function killIfRunning(p: Launched | undefined): Promise<void> {
  if (p === undefined || p.exit() !== null) return;
  p.child.kill('SIGKILL');
  await p.exited;
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
