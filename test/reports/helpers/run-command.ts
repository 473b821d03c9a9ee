/** Runs one report command line in-process on a test database, as a terminal of a given size or as a pipe. */
import { Command, CommanderError } from 'commander';
import type { DatabaseHandle } from '../../../src/db/database.js';
import { registerReportCommands } from '../../../src/cli/commands/reports.js';
import type { Terminal } from '../../../src/reports/format/terminal.js';

export const PIPE: Terminal = { isTTY: false, columns: 80, rows: 24, color: false };
export const tty = (columns: number, rows = 40): Terminal => ({ isTTY: true, columns, rows, color: false });

export interface CommandResult { out: string; err: string; exitCode: number }

export async function runReportCommand(
  h: DatabaseHandle, args: readonly string[], options: { terminal?: Terminal; now?: Date; onClose?: () => void; schedule?: { cron: string; tz: string } } = {},
): Promise<CommandResult> {
  let out = '';
  let err = '';
  const program = new Command('swas-inventory').exitOverride()
    .configureOutput({ writeOut: (s) => { out += s; }, writeErr: (s) => { err += s; } });
  registerReportCommands(program, {
    openDb: async () => ({ ...h, close: async () => { options.onClose?.(); } }),
    terminal: () => options.terminal ?? PIPE,
    ...(options.now ? { now: () => options.now as Date } : {}),
    ...(options.schedule ? { syncSchedule: () => options.schedule as { cron: string; tz: string } } : {}),
  });
  const exitBefore = process.exitCode;
  try {
    await program.parseAsync([...args], { from: 'user' });
    const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
    return { out, err, exitCode: code };
  } catch (e) {
    if (e instanceof CommanderError) return { out, err, exitCode: e.exitCode };
    throw e;
  } finally {
    process.exitCode = exitBefore;
  }
}
