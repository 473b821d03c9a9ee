/**
 * Option parsing shared by the report commands. Bad values become commander usage errors with
 * exit code 2 (usage error, by convention) and a message saying what is accepted.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { DatabaseHandle } from '../db/database.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../reports/format/columns.js';
import { resolveZone } from '../reports/format/display-time.js';
import type { TableOptions } from '../reports/format/format-table.js';
import { stdoutTerminal, type Terminal } from '../reports/format/terminal.js';
import { parseTime } from '../reports/parse-time.js';

export const USAGE_EXIT_CODE = 2;

export interface ReportDeps {
  /** Opens the configured database; the command closes it when done. */
  openDb: () => Promise<DatabaseHandle>;
  /** Where stdout goes (a terminal or a pipe, its size). Default: this process's stdout and env. */
  terminal?: () => Terminal;
  /** The clock of `status` ages and future `--as-of` checks. Default: the real one. */
  now?: () => Date;
  /** The schedule `status` derives staleness from. Default: SYNC_CRON and SYNC_TZ (loadConfig). */
  syncSchedule?: () => { cron: string; tz: string };
}

export function badInput(message: string): InvalidArgumentError {
  const error = new InvalidArgumentError(message);
  error.exitCode = USAGE_EXIT_CODE;
  return error;
}

/** Wraps a pure parser so its errors become usage errors. */
export function argParser<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (err) {
      throw badInput((err as Error).message);
    }
  };
}

/** For repeatable options: `--account a --account b`. */
export function repeatable<T>(parse: (value: string) => T): (value: string, previous: T[] | undefined) => T[] {
  const checked = argParser(parse);
  return (value, previous) => [...(previous ?? []), checked(value)];
}

export const timeArg = argParser((value) => parseTime(value, new Date()));

export const formatArg = argParser((value): OutputFormat => {
  const format = OUTPUT_FORMATS.find((f) => f === value.toLowerCase());
  if (!format) throw new Error(`unknown format '${value}': expected one of ${OUTPUT_FORMATS.join(', ')}`);
  return format;
});

export const FORMAT_HELP = 'table, json or csv (default: table on a terminal, json otherwise)';

/** The output flags every command takes (addOutputOptions). */
export interface OutputFlags {
  format?: OutputFormat;
  /** `sync --json`, kept as an alias of `--format json`. */
  json?: boolean;
  wide?: boolean;
  tz?: string;
}

/** What a command prints with: the format, and for tables the width, colors and time zone. */
export interface Output {
  format: OutputFormat;
  table: TableOptions;
  terminal: Terminal;
}

/** `--format`, `--wide` and `--tz`, the same on every command (and `--json` where it was before). */
export function addOutputOptions(cmd: Command, options: { jsonAlias?: boolean } = {}): Command {
  cmd.option('--format <format>', FORMAT_HELP, formatArg);
  if (options.jsonAlias) cmd.option('--json', 'same as --format json');
  return cmd
    .option('--wide', 'tables: show every column, uncut, however wide the terminal')
    .option('--tz <zone>', 'tables: show times in utc (default, unless TZ is set), local, or an IANA zone such as Asia/Shanghai', zoneArg);
}

/** Tables for people at a terminal, JSON for pipes; colors only on a terminal without NO_COLOR. */
export function resolveOutput(flags: OutputFlags, terminal: Terminal = stdoutTerminal(), env: NodeJS.ProcessEnv = process.env): Output {
  const format = flags.format ?? (flags.json ? 'json' : terminal.isTTY ? 'table' : 'json');
  return {
    format,
    terminal,
    table: {
      color: terminal.color && format === 'table',
      width: flags.wide ? null : terminal.columns,
      zone: resolveZone(flags.tz, env),
    },
  };
}

const zoneArg = argParser((value) => {
  resolveZone(value, {});
  return value;
});

/** `--account` and `--region`, repeatable, as every read command narrows its answer (addScopeOptions). */
export interface ScopeFlags {
  account?: string[];
  region?: string[];
}

/** The read commands' scope options, the same everywhere; returns `cmd` to go on chaining. */
export function addScopeOptions(cmd: Command): Command {
  return cmd
    .option('--account <name>', 'only this account (repeatable)', repeatable(String))
    .option('--region <id>', 'only this region (repeatable)', repeatable(String));
}

/** The scope as the reports library's filters name it. */
export function scopeFilters(flags: ScopeFlags): { accounts: string[] | undefined; regions: string[] | undefined } {
  return { accounts: flags.account, regions: flags.region };
}

/** Real examples at the end of a command's `--help` (each line a command a user can paste). */
export function addExamples(cmd: Command, examples: readonly string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`);
}

/**
 * The inventory is known up to now only: a time after now would silently answer "as it is now",
 * which reads as a prediction. Refused as a usage error.
 */
export function notInFuture(cmd: Command, flag: string, at: Date, deps: Pick<ReportDeps, 'now'>): void {
  const now = deps.now?.() ?? new Date();
  if (at.getTime() > now.getTime()) {
    cmd.error(`error: ${flag} ${at.toISOString()} is in the future (now is ${now.toISOString()}): the inventory is only known up to now`,
      { exitCode: USAGE_EXIT_CODE, code: 'swas.invalidArgument' });
  }
}

/** Writes through commander's output configuration, so embedding programs and tests can capture it. */
export function writeOut(cmd: Command, text: string): void {
  const write = cmd.configureOutput().writeOut ?? ((s: string) => process.stdout.write(s));
  write(text);
}

export async function withDatabase<T>(deps: ReportDeps, fn: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
  const handle = await deps.openDb();
  try {
    return await fn(handle);
  } finally {
    await handle.close();
  }
}
