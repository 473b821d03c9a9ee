import type { Command } from 'commander';
import { parsePositiveInt } from '../../reports/parse-filters.js';

import {
  addExamples, addOutputOptions, addScopeOptions, scopeFilters, argParser, repeatable, resolveOutput, withDatabase, writeOut, type OutputFlags, type ReportDeps, type ScopeFlags,
} from '../command-options.js';

interface ReportFlags extends OutputFlags, ScopeFlags {
  olderThan: number;
  changesDays: number;
  requireTag?: string[];
}

export function addReportCommand(program: Command, deps: ReportDeps): void {
  const cmd = program.command('report')
    .description('inventory report: by region and status, by OS type, failed or unavailable, old, never used, missing tags, recent changes')
    .option('--older-than <days>', 'list images created more than DAYS ago', argParser((v) => parsePositiveInt(v, 'number of days')), 180)
    .option('--changes-days <days>', 'count changes of the last DAYS days', argParser((v) => parsePositiveInt(v, 'number of days')), 7)
    .option('--require-tag <key>', 'list images without this tag key (repeatable)', repeatable(String));
  addScopeOptions(cmd);
  addOutputOptions(cmd);
  addExamples(cmd, [
    'swas-inventory report --require-tag owner --older-than 365',
    'swas-inventory report --account prod --changes-days 30',
    "swas-inventory report --format json | jq '.sections.failed_or_unavailable'",
  ]);
  cmd.action(async (flags: ReportFlags, command: Command) => {
    const output = resolveOutput(flags, deps.terminal?.());
    // Loaded when the command runs, not when the program is built (src/cli/program.ts).
    const [{ buildReport }, { formatReport }, { assertKnownFilterValues }] = await Promise.all([import('../../reports/run-reports.js'),
      import('../../reports/format/format-report.js'), import('../../reports/check-filter-values.js')]);
    const report = await withDatabase(deps, async (h) => {
      await assertKnownFilterValues(h.db, scopeFilters(flags));
      return buildReport(h.db, {
        now: deps.now?.() ?? new Date(),
        olderThanDays: flags.olderThan,
        changesDays: flags.changesDays,
        requireTags: flags.requireTag ?? [],
        ...scopeFilters(flags),
      });
    });
    writeOut(command, formatReport(output.format, report, output.table));
  });
}
