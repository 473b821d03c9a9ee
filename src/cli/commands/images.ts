import type { Command } from 'commander';
import type { ImageTag } from '../../domain/vocabulary.js';
import { IMAGES_LAYOUT, IMAGES_WITH_DELETED_LAYOUT } from '../../reports/layouts.js';
import { parseStatuses, parseTag } from '../../reports/parse-filters.js';

import {
  addExamples, addOutputOptions, addScopeOptions, scopeFilters, notInFuture, repeatable, resolveOutput, timeArg, withDatabase, writeOut, type OutputFlags, type ReportDeps, type ScopeFlags,
} from '../command-options.js';

interface ImagesFlags extends OutputFlags, ScopeFlags {
  asOf?: Date;
  status?: number[][];
  tag?: ImageTag[];
  includeDeleted?: boolean;
}

export function addImagesCommand(program: Command, deps: ReportDeps): void {
  const cmd = program.command('images')
    .description('list custom images: the inventory now, or exactly as it was at a time')
    .option('--as-of <time>', 'the inventory as it was at TIME (ISO 8601, or relative: 30m, 24h, 7d, 2w)', timeArg);
  addScopeOptions(cmd)
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
    // Loaded when the command runs, not when the program is built (src/cli/program.ts).
    const [{ listImages }, { formatRows }, { assertKnownFilterValues }, { assertAsOfInHistory }] = await Promise.all([
      import('../../reports/run-reports.js'), import('../../reports/format/format-rows.js'), import('../../reports/check-filter-values.js'),
      import('../../reports/check-as-of.js')]);
    const rows = await withDatabase(deps, async (h) => {
      await assertKnownFilterValues(h.db, { ...scopeFilters(flags), statuses: flags.status?.flat() });
      if (flags.asOf) await assertAsOfInHistory(h.db, '--as-of', flags.asOf);
      return listImages(h.db, {
        asOf: flags.asOf,
        ...scopeFilters(flags),
        statuses: flags.status?.flat(),
        tags: flags.tag,
        includeDeleted: flags.includeDeleted === true,
      });
    });
    writeOut(command, formatRows(output.format, flags.includeDeleted ? IMAGES_WITH_DELETED_LAYOUT : IMAGES_LAYOUT, rows, output.table));
  });
}
