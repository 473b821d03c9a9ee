import type { Command } from 'commander';
import { ConfigurationError } from '../../domain/errors.js';
import type { EventKind } from '../../domain/vocabulary.js';
import { HISTORY_LAYOUT } from '../../reports/layouts.js';
import { parseKinds, parsePositiveInt } from '../../reports/parse-filters.js';

import {
  USAGE_EXIT_CODE, addExamples, addOutputOptions, addScopeOptions, scopeFilters, argParser, repeatable, resolveOutput, timeArg, withDatabase, writeOut,
  type OutputFlags, type ReportDeps, type ScopeFlags,
} from '../command-options.js';

interface HistoryFlags extends OutputFlags, ScopeFlags {
  image?: string[];
  kind?: EventKind[][];
  since?: Date;
  until?: Date;
  oldestFirst?: boolean;
  limit?: number;
  follow?: boolean;
}

/** Lines kept free for the prompt, the header and the "more events" note. */
const SCREEN_MARGIN = 4;

export function addHistoryCommand(program: Command, deps: ReportDeps): void {
  const cmd = program.command('history')
    .description('the change timeline, newest first: when, what kind, status from -> to, which fields changed from what to what')
    .option('--image <id>', 'only this image (repeatable)', repeatable(String));
  addScopeOptions(cmd)
    .option('--kind <kind>', 'only these kinds: created, updated, status_changed, tags_changed, deleted, restored (comma list, repeatable)',
      repeatable(parseKinds))
    .option('--since <time>', 'changes at or after TIME (ISO 8601, or relative: 30m, 24h, 7d, 2w)', timeArg)
    .option('--until <time>', 'changes before TIME', timeArg)
    .option('--oldest-first', 'oldest first (default: newest first)')
    .option('--limit <n>', 'at most N events (default: a screenful on a terminal, all when piped)',
      argParser((v) => parsePositiveInt(v, 'limit')))
    .option('--follow', 'keep printing changes as syncs commit them, oldest first, one line per event (JSON lines when piped), until Ctrl-C');
  addOutputOptions(cmd);
  addExamples(cmd, [
    'swas-inventory history --since 1h',
    'swas-inventory history --image m-bp1abc --oldest-first',
    'swas-inventory history --kind deleted,restored --since 7d --format csv > removals.csv',
    'swas-inventory history --follow --kind status_changed,deleted',
  ]);
  cmd.action(async (flags: HistoryFlags, command: Command) => {
    if (flags.follow) {
      const conflicting = (['since', 'until', 'limit', 'oldestFirst'] as const).filter((f) => flags[f] !== undefined);
      if (conflicting.length > 0) {
        const names = conflicting.map((f) => (f === 'oldestFirst' ? '--oldest-first' : `--${f}`)).join(', ');
        command.error(`error: --follow prints changes committed from now on, oldest first: ${names} cannot go with it (run history without --follow for the past)`,
          { exitCode: USAGE_EXIT_CODE, code: 'swas.invalidArgument' });
      }
      // Refused before the follower (and the embedded database) loads: a "no" should not cost seconds of PGlite start-up.
      if ((await import('../../config/env.js')).loadConfig().databaseUrl === null) {
        throw new ConfigurationError('history --follow needs PostgreSQL (DATABASE_URL): the embedded database admits one process at a time, so no sync could commit while it follows');
      }
      const { followHistoryCommand } = await import('./history-follow.js');
      await followHistoryCommand(deps, command, flags, { imageIds: flags.image, ...scopeFilters(flags), kinds: flags.kind?.flat() });
      return;
    }
    if (flags.since && flags.until && flags.since >= flags.until) {
      command.error(`error: --since (${flags.since.toISOString()}) must be before --until (${flags.until.toISOString()})`,
        { exitCode: USAGE_EXIT_CODE, code: 'swas.invalidArgument' });
    }
    const output = resolveOutput(flags, deps.terminal?.());
    // Loaded when the command runs, not when the program is built (src/cli/program.ts).
    const [{ listHistory }, { formatRows }, { assertKnownFilterValues }] = await Promise.all([import('../../reports/run-reports.js'),
      import('../../reports/format/format-rows.js'), import('../../reports/check-filter-values.js')]);
    const screenful = output.format === 'table' && output.terminal.isTTY ? Math.max(5, output.terminal.rows - SCREEN_MARGIN) : undefined;
    const limit = flags.limit ?? screenful;
    // One more than shown tells whether there is more, without counting the whole log.
    const rows = await withDatabase(deps, async (h) => {
      await assertKnownFilterValues(h.db, scopeFilters(flags));
      return listHistory(h.db, {
        imageIds: flags.image,
        ...scopeFilters(flags),
        kinds: flags.kind?.flat(),
        since: flags.since,
        until: flags.until,
        oldestFirst: flags.oldestFirst === true,
        limit: limit === undefined ? undefined : limit + 1,
      });
    });
    const more = limit !== undefined && rows.length > limit;
    const shown = more ? rows.slice(0, limit) : rows;
    writeOut(command, formatRows(output.format, HISTORY_LAYOUT, shown, output.table));
    if (more && output.format === 'table') {
      writeOut(command, `(${limit} ${flags.oldestFirst ? 'oldest' : 'newest'} events shown; --limit N for more, --since/--until for a window)\n`);
    }
  });
}
