import type { Command } from 'commander';
import type { ImageTag } from '../../sync/types.js';
import type { Column, OutputFormat } from '../format/columns.js';
import { formatRows } from '../format/format-rows.js';
import { parseStatuses, parseTag } from '../parse-filters.js';
import { listImages } from '../run-reports.js';
import {
  FORMAT_HELP, formatArg, repeatable, resolveFormat, timeArg, withDatabase, writeOut, type ReportDeps,
} from './command-options.js';

export const IMAGE_COLUMNS: Column[] = [
  { key: 'account', header: 'Account' }, { key: 'regionId', header: 'Region' }, { key: 'imageId', header: 'Image' },
  { key: 'name', header: 'Name' }, { key: 'status', header: 'Status' }, { key: 'osType', header: 'OS' },
  { key: 'creationTime', header: 'Created' }, { key: 'systemDiskGb', header: 'Disk GB' },
  { key: 'createInstances', header: 'Instances created' }, { key: 'tags', header: 'Tags' },
];
const DELETED_COLUMN: Column = { key: 'deletedAt', header: 'Deleted' };

interface ImagesFlags {
  asOf?: Date;
  account?: string[];
  region?: string[];
  status?: number[][];
  tag?: ImageTag[];
  includeDeleted?: boolean;
  format?: OutputFormat;
}

export function addImagesCommand(program: Command, deps: ReportDeps): void {
  program.command('images')
    .description('list custom images: the inventory now, or exactly as it was at a time')
    .option('--as-of <time>', 'the inventory as it was at TIME (ISO 8601, or relative: 30m, 24h, 7d, 2w)', timeArg)
    .option('--account <name>', 'only this account (repeatable)', repeatable(String))
    .option('--region <id>', 'only this region (repeatable)', repeatable(String))
    .option('--status <status>', 'only these statuses: available, creating, copying, unavailable, creation_failed or a code (comma list, repeatable)',
      repeatable(parseStatuses))
    .option('--tag <key=value>', 'only images carrying this tag (repeatable: all must match)', repeatable(parseTag))
    .option('--include-deleted', 'also list images deleted by then, with the time of deletion')
    .option('--format <format>', FORMAT_HELP, formatArg)
    .action(async (flags: ImagesFlags, cmd: Command) => {
      const { format, color } = resolveFormat(flags.format);
      const rows = await withDatabase(deps, (h) => listImages(h.db, {
        asOf: flags.asOf,
        accounts: flags.account,
        regions: flags.region,
        statuses: flags.status?.flat(),
        tags: flags.tag,
        includeDeleted: flags.includeDeleted === true,
      }));
      const columns = flags.includeDeleted ? [...IMAGE_COLUMNS, DELETED_COLUMN] : IMAGE_COLUMNS;
      writeOut(cmd, formatRows(format, columns, rows, color));
    });
}
