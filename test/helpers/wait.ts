/**
 * Waiting for a condition of another process or server that sends no event this test could await
 * (a counter, a row, a key): a bounded poll, generous by default for a loaded machine, that fails
 * with what it waited for, and at once when a process it depends on has exited.
 */
import type { Launched } from './processes.js';

export interface WaitOptions {
  timeoutMs?: number;
  pollMs?: number;
  /** Fail as soon as this process has exited (it can no longer bring the condition about). */
  until?: Launched;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitOptions | number = {}, pollMs?: number): Promise<T> {
  const { timeoutMs = 60_000, pollMs: every = pollMs ?? 50, until } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    const exit = until?.exit();
    if (until && exit) throw new Error(`the process exited (${exit.code ?? exit.signal}) while waiting for ${what}:\n${until.stdout()}\n${until.stderr()}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}
