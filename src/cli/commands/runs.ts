import type { Command } from 'commander';
import { parsePositiveInt, parseRunId } from '../../reports/parse-filters.js';
import { USAGE_EXIT_CODE, addExamples, addOutputOptions, argParser, resolveOutput, withDatabase, writeOut, type OutputFlags, type ReportDeps } from '../command-options.js';

interface RunsFlags extends OutputFlags {
  limit: number;
  regions?: boolean;
}

export function addRunsCommand(program: Command, deps: ReportDeps): void {
  const cmd = program.command('runs')
    .description('recent sync runs, newest first, one line each; with a run id, that run\'s regions')
    .argument('[run-id]', 'one run (as `runs` prints it): its per-region outcomes and errors', argParser(parseRunId))
    .option('--limit <n>', 'how many runs', argParser((v) => parsePositiveInt(v, 'limit')), 10)
    .option('--regions', 'tables: one row per run and region (the CSV always is)');
  addOutputOptions(cmd);
  addExamples(cmd, [
    'swas-inventory runs --limit 3',
    'swas-inventory runs 62de9e39-2a3f-4c9c-867b-839ac0adafe6',
    "swas-inventory runs --format json | jq '.[0].regions[] | select(.status != \"succeeded\")'",
  ]);
  cmd.action(async (runId: string | undefined, flags: RunsFlags, command: Command) => {
    const output = resolveOutput(flags, deps.terminal?.());
    // Loaded when the command runs, not when the program is built (src/cli/program.ts).
    const [{ listRuns }, { formatRuns }] = await Promise.all([import('../../reports/run-reports.js'), import('../../reports/format/format-runs.js')]);
    const runs = await withDatabase(deps, (h) => (runId === undefined ? listRuns(h.db, flags.limit) : listRuns(h.db, 1, { runIds: [runId] })));
    if (runId !== undefined && runs.length === 0) {
      command.error(`error: no run ${runId} (\`runs\` lists the recent ones; older runs that changed nothing are pruned)`,
        { exitCode: USAGE_EXIT_CODE, code: 'swas.invalidArgument' });
    }
    writeOut(command, formatRuns(output.format, runs, output.table, { regions: runId !== undefined || flags.regions === true }));
  });
}
