/**
 * The `swas-inventory` program: every command wired on one commander program, and the one place
 * errors become a message and an exit code (src/cli/exit-codes.ts). Nothing runs at import.
 *
 * Start-up: building the program (every command's options and help) loads only commander and
 * small pure modules; each command's action imports what it runs (the database drivers, the SDK,
 * zod, pino, the formatters) when it runs. `--version` and `--help` thus start in about the time
 * of `node -e ''` (bench/cases/startup.ts), and test/cli/startup-imports.test.ts keeps it so.
 */
import { describeDatabaseError, findDatabaseError } from '../db/find-database-error.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { packageRoot } from '../db/package-root.js';
import { registerConsoleCommand } from './commands/console.js';
import { registerEmulatorCommand } from './commands/emulator.js';
import { registerReportCommands } from './commands/reports.js';
import { registerWorkerCommands } from './commands/worker.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerNotificationsCommand } from './commands/notifications.js';
import { registerPruneCommand } from './commands/prune.js';
import { registerSyncCommand } from './commands/sync.js';
import { exitCodeFor } from './exit-codes.js';

export function buildProgram(): Command {
  const program = new Command()
    .name('swas-inventory')
    .description('Inventory of Alibaba Cloud SWAS custom images in PostgreSQL, with full change history')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    // Before any .command(): subcommands copy these settings when they are created.
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(oneLineError(text)) });
  registerMigrateCommand(program);
  registerSyncCommand(program);
  registerPruneCommand(program);
  registerWorkerCommands(program);
  // Reports never migrate: they check the schema version and say "run migrate" when it is behind,
  // so a read-only login (swas_reader) can run them and a report never changes a schema.
  registerReportCommands(program, { openDb: openReportDatabase });
  registerEmulatorCommand(program);
  registerNotificationsCommand(program);
  registerConsoleCommand(program);
  addUsageHints(program);
  return program;
}

/** The configured database for a report, loaded when a report runs (see the note at the top). */
async function openReportDatabase() {
  const [{ loadConfig }, { openAppDatabase }] = await Promise.all([import('../config/env.js'), import('./open-app-database.js')]);
  return openAppDatabase(loadConfig(), { migrate: false });
}

/** Runs one command line (`argv` as in process.argv) and returns the exit code; prints errors on stderr. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    const code = exitCodeFor(err);
    // commander has already printed its own errors (and help); everything else is printed here.
    if (!isCommanderExit(err)) process.stderr.write(`swas-inventory: ${describeError(err)}\n`);
    return code;
  }
}

/** commander's errors (InvalidArgumentError included) were printed by commander before it threw. */
function isCommanderExit(err: unknown): boolean {
  return err instanceof CommanderError;
}

/** The version in package.json (the same file npm publishes), read when the program is built. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/**
 * A usage error is one line and a hint, not the whole usage text: the hint names the command's
 * own `--help`, so it is one copy-paste away.
 */
function addUsageHints(command: Command): void {
  const path: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) path.unshift(c.name());
  command.showHelpAfterError(`Run '${path.join(' ')} --help' for usage.`);
  for (const sub of command.commands) addUsageHints(sub);
}

/** commander puts its "Did you mean ...?" on a line of its own; keep the error on one line. */
export function oneLineError(text: string): string {
  return `${text.replace(/\s*\n\(Did you mean (.+)\?\)/g, ' (did you mean $1?)').trimEnd()}\n`;
}

/**
 * One line for a human. drizzle wraps driver errors as "Failed query: <the whole SQL>"; what went
 * wrong (connection closed, permission denied, ...) is in the cause, so that is what we print.
 */
function describeError(err: unknown): string {
  const db = findDatabaseError(err);
  if (db) return describeDatabaseError(db);
  if (!(err instanceof Error)) {
    // Never `[object Object]`: a thrown non-Error still says what it carries.
    const message = (err as { message?: unknown } | null)?.message;
    if (typeof message === 'string') return message;
    try {
      return JSON.stringify(err) ?? String(err);
    } catch {
      return String(err);
    }
  }
  if (err.message.startsWith('Failed query') && err.cause instanceof Error) return `database error: ${err.cause.message}`;
  return err.message;
}
