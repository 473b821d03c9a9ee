/** Runs the real binary (src/cli/main.ts through tsx) as a child process, as a user or cron would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const MAIN = resolve(import.meta.dirname, '../../src/cli/main.ts');

export interface CliRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

/** Starts `swas-inventory <args>` with exactly `env` (plus PATH): nothing of the test's own environment leaks in. */
export function startCli(args: string[], env: Record<string, string | undefined>): CliRun {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent-home', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => { out += c.toString('utf8'); });
  child.stderr?.on('data', (c: Buffer) => { err += c.toString('utf8'); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((done) => {
    child.on('exit', (code, signal) => done({ code, signal, ms: Date.now() - started }));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

export async function runCli(args: string[], env: Record<string, string | undefined>) {
  const run = startCli(args, env);
  const exit = await run.exited;
  return { ...exit, stdout: run.stdout(), stderr: run.stderr() };
}
