import type { Command } from 'commander';
import type { OutputFormat } from '../format/columns.js';
import { formatRuns } from '../format/format-runs.js';
import { parsePositiveInt } from '../parse-filters.js';
import { listRuns } from '../run-reports.js';
import { FORMAT_HELP, argParser, formatArg, resolveFormat, withDatabase, writeOut, type ReportDeps } from './command-options.js';

interface RunsFlags {
  limit: number;
  format?: OutputFormat;
}

export function addRunsCommand(program: Command, deps: ReportDeps): void {
  program.command('runs')
    .description('recent sync runs with per-region outcomes and errors, newest first')
    .option('--limit <n>', 'how many runs', argParser((v) => parsePositiveInt(v, 'limit')), 10)
    .option('--format <format>', FORMAT_HELP, formatArg)
    .action(async (flags: RunsFlags, cmd: Command) => {
      const { format, color } = resolveFormat(flags.format);
      const runs = await withDatabase(deps, (h) => listRuns(h.db, flags.limit));
      writeOut(cmd, formatRuns(format, runs, color));
    });
}
