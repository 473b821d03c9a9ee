import type { Command } from 'commander';
import type { EventKind } from '../../sync/types.js';
import type { Column, OutputFormat } from '../format/columns.js';
import { describeChanges } from '../format/describe-changes.js';
import { formatRows } from '../format/format-rows.js';
import { parseKinds } from '../parse-filters.js';
import { listHistory } from '../run-reports.js';
import {
  FORMAT_HELP, USAGE_EXIT_CODE, formatArg, repeatable, resolveFormat, timeArg, withDatabase, writeOut, type ReportDeps,
} from './command-options.js';

export const HISTORY_COLUMNS: Column[] = [
  { key: 'observedAt', header: 'When' }, { key: 'account', header: 'Account' }, { key: 'regionId', header: 'Region' },
  { key: 'imageId', header: 'Image' }, { key: 'kind', header: 'Kind' },
  { key: 'fromStatus', header: 'From status' }, { key: 'toStatus', header: 'To status' },
  { key: 'changes', header: 'Changes', text: describeChanges },
];

interface HistoryFlags {
  image?: string[];
  account?: string[];
  region?: string[];
  kind?: EventKind[][];
  since?: Date;
  until?: Date;
  format?: OutputFormat;
}

export function addHistoryCommand(program: Command, deps: ReportDeps): void {
  program.command('history')
    .description('the change timeline: when, what kind, status from -> to, which fields changed from what to what')
    .option('--image <id>', 'only this image (repeatable)', repeatable(String))
    .option('--account <name>', 'only this account (repeatable)', repeatable(String))
    .option('--region <id>', 'only this region (repeatable)', repeatable(String))
    .option('--kind <kind>', 'only these kinds: created, updated, status_changed, tags_changed, deleted, restored (comma list, repeatable)',
      repeatable(parseKinds))
    .option('--since <time>', 'changes at or after TIME (ISO 8601, or relative: 30m, 24h, 7d, 2w)', timeArg)
    .option('--until <time>', 'changes before TIME', timeArg)
    .option('--format <format>', FORMAT_HELP, formatArg)
    .action(async (flags: HistoryFlags, cmd: Command) => {
      if (flags.since && flags.until && flags.since >= flags.until) {
        cmd.error(`error: --since (${flags.since.toISOString()}) must be before --until (${flags.until.toISOString()})`,
          { exitCode: USAGE_EXIT_CODE, code: 'swas.invalidArgument' });
      }
      const { format, color } = resolveFormat(flags.format);
      const rows = await withDatabase(deps, (h) => listHistory(h.db, {
        imageIds: flags.image,
        accounts: flags.account,
        regions: flags.region,
        kinds: flags.kind?.flat(),
        since: flags.since,
        until: flags.until,
      }));
      writeOut(cmd, formatRows(format, HISTORY_COLUMNS, rows, color));
    });
}
