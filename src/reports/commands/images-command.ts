import type { Command } from 'commander';
import type { ImageTag } from '../../sync/types.js';
import type { Layout } from '../format/columns.js';
import { formatRows } from '../format/format-rows.js';
import { parseStatuses, parseTag } from '../parse-filters.js';
import { listImages } from '../run-reports.js';
import {
  addExamples, addOutputOptions, notInFuture, repeatable, resolveOutput, timeArg, withDatabase, writeOut, type OutputFlags, type ReportDeps,
} from './command-options.js';

/** JSON keys and CSV header (docs/REPORTS.md); the table drops the low-value columns first. */
export const IMAGES_LAYOUT: Layout = {
  fields: ['account', 'regionId', 'imageId', 'name', 'status', 'statusCode', 'osType', 'creationTime', 'systemDiskGb',
    'instanceId', 'createInstances', 'tags', 'deletedAt'],
  columns: [
    { key: 'account', header: 'Account', drop: 4 }, { key: 'regionId', header: 'Region' }, { key: 'imageId', header: 'Image' },
    { key: 'name', header: 'Name', shrinkTo: 16 }, { key: 'status', header: 'Status' },
    { key: 'osType', header: 'OS', drop: 6 }, { key: 'creationTime', header: 'Created', time: true, drop: 5 },
    { key: 'systemDiskGb', header: 'Disk GB', align: 'right', drop: 8 },
    { key: 'createInstances', header: 'Instances', drop: 7, shrinkTo: 12 }, { key: 'tags', header: 'Tags', drop: 3, shrinkTo: 12 },
  ],
};
const WITH_DELETED: Layout = { ...IMAGES_LAYOUT, columns: [...IMAGES_LAYOUT.columns, { key: 'deletedAt', header: 'Deleted', time: true }] };

interface ImagesFlags extends OutputFlags {
  asOf?: Date;
  account?: string[];
  region?: string[];
  status?: number[][];
  tag?: ImageTag[];
  includeDeleted?: boolean;
}

export function addImagesCommand(program: Command, deps: ReportDeps): void {
  const cmd = program.command('images')
    .description('list custom images: the inventory now, or exactly as it was at a time')
    .option('--as-of <time>', 'the inventory as it was at TIME (ISO 8601, or relative: 30m, 24h, 7d, 2w)', timeArg)
    .option('--account <name>', 'only this account (repeatable)', repeatable(String))
    .option('--region <id>', 'only this region (repeatable)', repeatable(String))
    .option('--status <status>', 'only these statuses: available, creating, copying, unavailable, creation_failed or a code (comma list, repeatable)',
      repeatable(parseStatuses))
    .option('--tag <key=value>', 'only images carrying this tag (repeatable: all must match)', repeatable(parseTag))
    .option('--include-deleted', 'also list images deleted by then, with the time of deletion');
  addOutputOptions(cmd);
  addExamples(cmd, [
    'swas-inventory images --region cn-hangzhou --status unavailable,creation_failed',
    'swas-inventory images --as-of 7d --include-deleted --format csv > last-week.csv',
    "swas-inventory images --format json | jq -r '.[] | select(.tags.env == \"prod\") | .imageId'",
  ]);
  cmd.action(async (flags: ImagesFlags, command: Command) => {
    if (flags.asOf) notInFuture(command, '--as-of', flags.asOf, deps);
    const output = resolveOutput(flags, deps.terminal?.());
    const rows = await withDatabase(deps, (h) => listImages(h.db, {
      asOf: flags.asOf,
      accounts: flags.account,
      regions: flags.region,
      statuses: flags.status?.flat(),
      tags: flags.tag,
      includeDeleted: flags.includeDeleted === true,
    }));
    writeOut(command, formatRows(output.format, flags.includeDeleted ? WITH_DELETED : IMAGES_LAYOUT, rows, output.table));
  });
}
