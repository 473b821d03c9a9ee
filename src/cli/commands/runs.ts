import type { Command } from 'commander';
import { formatRuns } from '../../reports/format/format-runs.js';
import { parsePositiveInt } from '../../reports/parse-filters.js';
import { listRuns } from '../../reports/run-reports.js';
import { addExamples, addOutputOptions, argParser, resolveOutput, withDatabase, writeOut, type OutputFlags, type ReportDeps } from '../command-options.js';

interface RunsFlags extends OutputFlags {
  limit: number;
}

export function addRunsCommand(program: Command, deps: ReportDeps): void {
  const cmd = program.command('runs')
    .description('recent sync runs with per-region outcomes and errors, newest first')
    .option('--limit <n>', 'how many runs', argParser((v) => parsePositiveInt(v, 'limit')), 10);
  addOutputOptions(cmd);
  addExamples(cmd, [
    'swas-inventory runs --limit 3',
    "swas-inventory runs --format json | jq '.[0].regions[] | select(.status != \"succeeded\")'",
  ]);
  cmd.action(async (flags: RunsFlags, command: Command) => {
    const output = resolveOutput(flags, deps.terminal?.());
    const runs = await withDatabase(deps, (h) => listRuns(h.db, flags.limit));
    writeOut(command, formatRuns(output.format, runs, output.table));
  });
}
