/**
 * The command side of `history --follow` (the loop is src/reports/follow-history.ts): output one
 * line per event as it commits, log polls at debug level on stderr, and end on SIGINT / SIGTERM
 * with 130 / 143 (a second signal ends at once), or quietly when the reader of a pipe goes away.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../config/env.js';
import { findDatabaseError } from '../../db/find-database-error.js';
import { ConfigurationError } from '../../domain/errors.js';
import { signalExitCode } from '../exit-codes.js';
import { oneShotLogLevel } from '../one-shot-log-level.js';
import { createLogger } from '../../ops/logger.js';
import { followLines, followPreamble } from '../../reports/format/format-follow.js';
import { assertKnownFilterValues } from '../../reports/check-filter-values.js';
import { followHistory, type FollowFilters } from '../../reports/follow-history.js';
import { HISTORY_LAYOUT } from '../../reports/layouts.js';
import { resolveOutput, withDatabase, writeOut, type OutputFlags, type ReportDeps } from '../command-options.js';

/** Between polls that found nothing: changes show within about a second of their commit. */
export const FOLLOW_POLL_MS = 1_000;

export async function followHistoryCommand(deps: ReportDeps, command: Command, flags: OutputFlags, filters: FollowFilters): Promise<void> {
  const config = loadConfig();
  const output = resolveOutput(flags, deps.terminal?.());
  const log = createLogger({ level: oneShotLogLevel(config, process.env, process.stderr.isTTY === true),
    destination: process.stderr, pretty: process.stderr.isTTY === true });
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stop.signal.aborted) process.exit(signalExitCode(signal));
    stop.abort(signal);
  };
  // `history --follow | head -1`: the reader left; that ends the follow, not as a failure.
  const onStdoutError = (err: NodeJS.ErrnoException): void => {
    if (err.code === 'EPIPE') stop.abort('EPIPE');
  };
  for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, onSignal);
  process.stdout.on('error', onStdoutError);
  try {
    await withDatabase(deps, async (h) => {
      await assertKnownFilterValues(h.db, { accounts: filters.accounts, regions: filters.regions });
      writeOut(command, followPreamble(output.format, HISTORY_LAYOUT));
      try {
        await followHistory(h.db, {
          filters, intervalMs: FOLLOW_POLL_MS, signal: stop.signal,
          onStart: (at) => {
            log.info({ position: at }, 'history --follow: following changes as syncs commit them');
            if (process.stderr.isTTY) process.stderr.write('following changes as syncs commit them; Ctrl-C to stop\n');
          },
          onPoll: (at, events) => log.debug({ position: at, events }, 'history --follow: polled'),
          onRows: (rows) => { if (!stop.signal.aborted) writeOut(command, followLines(output.format, HISTORY_LAYOUT, rows, output.table)); },
        });
      } catch (err) {
        // A role that may read the history views but not the commit order (a role granted by hand,
        // without migration 0008's grant): one line that says what to grant.
        if (findDatabaseError(err)?.code === '42501') {
          throw new ConfigurationError('history --follow reads the commit order from swas.event_commit_order, which this role may not: GRANT SELECT ON swas.event_commit_order TO it (swas_reader has it)');
        }
        throw err;
      }
    });
  } finally {
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.off(s, onSignal);
    process.stdout.off('error', onStdoutError);
  }
  const reason = stop.signal.reason as unknown;
  if (reason === 'SIGINT' || reason === 'SIGTERM') process.exitCode = signalExitCode(reason);
}
