#!/usr/bin/env node
/**
 * `swas-inventory`: one binary for the sync, the daemon, the reports and the emulator. Each
 * command lives in its own module; this file only wires them and turns errors into exit codes.
 */
import { Command } from 'commander';
import { loadConfig } from '../config/env.js';
import { registerEmulatorCommand } from '../emulator/cli.js';
import { registerReportCommands } from '../reports/cli.js';
import { registerWorkerCommands } from '../worker/cli.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerSyncCommand } from './commands/sync.js';
import { openAppDatabase } from './open-app-database.js';

export function buildProgram(): Command {
  const program = new Command()
    .name('swas-inventory')
    .description('Inventory of Alibaba Cloud SWAS custom images in PostgreSQL, with full change history')
    .showHelpAfterError();
  registerMigrateCommand(program);
  registerSyncCommand(program);
  registerWorkerCommands(program);
  // Reports migrate too: a fresh database then answers with empty results instead of errors.
  registerReportCommands(program, { openDb: () => openAppDatabase(loadConfig(), { migrate: true }) });
  registerEmulatorCommand(program);
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    // Config and input errors carry their own clear messages; never print a stack with env in it.
    process.stderr.write(`swas-inventory: ${describeError(err)}\n`);
    process.exitCode = process.exitCode && process.exitCode !== 0 ? process.exitCode : 1;
  });

/**
 * One line for a human. drizzle wraps driver errors as "Failed query: <the whole SQL>"; what went
 * wrong (connection closed, permission denied, ...) is in the cause, so that is what we print.
 */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.message.startsWith('Failed query') && err.cause instanceof Error) return `database error: ${err.cause.message}`;
  return err.message;
}

