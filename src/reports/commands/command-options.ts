/**
 * Option parsing shared by the report commands. Bad values become commander usage errors with
 * exit code 2 (usage error, by convention) and a message saying what is accepted.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { DatabaseHandle } from '../../db/database.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../format/columns.js';
import { parseTime } from '../parse-time.js';

export const USAGE_EXIT_CODE = 2;

export interface ReportDeps {
  /** Opens the configured database; the command closes it when done. */
  openDb: () => Promise<DatabaseHandle>;
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

/** Tables for people at a terminal, JSON for pipes; colors only on a terminal. */
export function resolveFormat(format: OutputFormat | undefined): { format: OutputFormat; color: boolean } {
  const tty = process.stdout.isTTY === true;
  const chosen = format ?? (tty ? 'table' : 'json');
  return { format: chosen, color: tty && chosen === 'table' };
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
