import type { Command } from 'commander';
import type { OutputFormat } from '../format/columns.js';
import { formatReport } from '../format/format-report.js';
import { parsePositiveInt } from '../parse-filters.js';
import { buildReport } from '../run-reports.js';
import {
  FORMAT_HELP, argParser, formatArg, repeatable, resolveFormat, withDatabase, writeOut, type ReportDeps,
} from './command-options.js';

interface ReportFlags {
  olderThan: number;
  changesDays: number;
  requireTag?: string[];
  account?: string[];
  region?: string[];
  format?: OutputFormat;
}

export function addReportCommand(program: Command, deps: ReportDeps): void {
  program.command('report')
    .description('inventory report: by region and status, by OS type, failed or unavailable, old, never used, missing tags, recent changes')
    .option('--older-than <days>', 'list images created more than DAYS ago', argParser((v) => parsePositiveInt(v, 'number of days')), 180)
    .option('--changes-days <days>', 'count changes of the last DAYS days', argParser((v) => parsePositiveInt(v, 'number of days')), 7)
    .option('--require-tag <key>', 'list images without this tag key (repeatable)', repeatable(String))
    .option('--account <name>', 'only this account (repeatable)', repeatable(String))
    .option('--region <id>', 'only this region (repeatable)', repeatable(String))
    .option('--format <format>', FORMAT_HELP, formatArg)
    .action(async (flags: ReportFlags, cmd: Command) => {
      const { format, color } = resolveFormat(flags.format);
      const report = await withDatabase(deps, (h) => buildReport(h.db, {
        now: new Date(),
        olderThanDays: flags.olderThan,
        changesDays: flags.changesDays,
        requireTags: flags.requireTag ?? [],
        accounts: flags.account,
        regions: flags.region,
      }));
      writeOut(cmd, formatReport(format, report, color));
    });
}
