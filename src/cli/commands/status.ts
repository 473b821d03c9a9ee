import type { Command } from 'commander';
import { formatAge } from '../../reports/format/display-time.js';
import { assessFreshness, scheduleIntervalMs } from '../../reports/freshness.js';
import { STATUS_LAYOUT } from '../../reports/layouts.js';

import {
  addExamples, addOutputOptions, addScopeOptions, scopeFilters, argParser, resolveOutput, withDatabase, writeOut, type OutputFlags, type ReportDeps, type ScopeFlags,
} from '../command-options.js';

const DURATION = /^(\d{1,6})([smhd])$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `90s`, `30m`, `2h`, `1d` -> milliseconds. */
export function parseDuration(input: string): number {
  const m = DURATION.exec(input.trim());
  if (!m || Number(m[1]) === 0) throw new Error(`bad duration '${input}': expected a number and a unit, such as 90s, 30m, 2h or 1d`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

interface StatusFlags extends OutputFlags, ScopeFlags {
  maxAge?: number;
}

export function addStatusCommand(program: Command, deps: ReportDeps): void {
  const cmd = program.command('status')
    .description('freshness per account and region: the last complete listing, its age, the last outcome and error; exit 1 if any is stale')
    .option('--max-age <duration>', 'stale when the last complete listing is older than this (90s, 30m, 2h, 1d; default twice the SYNC_CRON interval)',
      argParser(parseDuration));
  addScopeOptions(cmd);
  addOutputOptions(cmd);
  addExamples(cmd, [
    'swas-inventory status',
    'swas-inventory status --max-age 1h || echo "inventory is stale"',
    "swas-inventory status --format json | jq '.[] | select(.stale)'",
  ]);
  cmd.action(async (flags: StatusFlags, command: Command) => {
    const output = resolveOutput(flags, deps.terminal?.());
    // Loaded when the command runs, not when the program is built (src/cli/program.ts).
    const [{ listStatus }, { formatRows }, { assertKnownFilterValues }] = await Promise.all([import('../../reports/run-reports.js'),
      import('../../reports/format/format-rows.js'), import('../../reports/check-filter-values.js')]);
    const now = deps.now?.() ?? new Date();
    const staleAfterMs = flags.maxAge ?? 2 * scheduleIntervalMs(...(await schedule(deps)), now);
    const rows = assessFreshness(await withDatabase(deps, async (h) => {
      await assertKnownFilterValues(h.db, scopeFilters(flags));
      return listStatus(h.db, scopeFilters(flags));
    }), now, staleAfterMs);
    writeOut(command, formatRows(output.format, STATUS_LAYOUT, rows, output.table));
    const stale = rows.filter((r) => r.stale === true).length;
    if (output.format === 'table') {
      writeOut(command, rows.length === 0 ? 'no region has been synced yet\n'
        : `${stale === 0 ? 'all' : `${stale} of`} ${rows.length} region${rows.length === 1 ? '' : 's'} ${stale === 0 ? 'fresh' : 'stale'}` +
          ` (stale: no complete listing in the last ${formatAge(staleAfterMs)})\n`);
    }
    // Nothing synced yet is not fresh either: a health check must not pass on an empty database.
    if (stale > 0 || rows.length === 0) process.exitCode = 1;
  });
}

async function schedule(deps: ReportDeps): Promise<[string, string]> {
  const s = deps.syncSchedule?.() ?? await (async () => {
    const config = (await import('../../config/env.js')).loadConfig();
    return { cron: config.syncCron, tz: config.syncTz };
  })();
  return [s.cron, s.tz];
}
