/**
 * `swas-inventory prune`: removes the bookkeeping of old runs that changed nothing (see
 * src/sync/prune-runs.ts for what is kept and why). The worker does the same daily; this is the
 * command for the embedded database (no worker) and for doing it now.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { addExamples } from '../command-options.js';

interface PruneCommandOptions {
  olderThan?: number;
  dryRun?: boolean;
  batchSize?: number;
}

const wholeDays = (value: string): number => {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || Number(value) > 36_500) {
    throw new InvalidArgumentError('must be a whole number of days between 1 and 36500 (SWAS_RETENTION_DAYS=0 keeps everything)');
  }
  return Number(value);
};

const rowsPerBatch = (value: string): number => {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || Number(value) > 100_000) {
    throw new InvalidArgumentError('must be a whole number between 1 and 100000');
  }
  return Number(value);
};

export function registerPruneCommand(program: Command): void {
  const cmd = program
    .command('prune')
    .description('remove sync_runs / region_syncs rows of runs older than SWAS_RETENTION_DAYS that changed nothing (the image history is never touched)')
    .option('--older-than <days>', 'prune runs started more than <days> days ago (default SWAS_RETENTION_DAYS)', wholeDays)
    .option('--dry-run', 'print what would be removed; change nothing')
    .option('--batch-size <rows>', 'rows per DELETE statement (default 2000)', rowsPerBatch)
    .action(async (opts: PruneCommandOptions) => {
      // Loaded when the command runs, not when the program is built (src/cli/program.ts).
      const [{ loadConfig }, { openAppDatabase }, { describePrune, pruneRuns }] = await Promise.all([
        import('../../config/env.js'), import('../open-app-database.js'), import('../../sync/prune-runs.js')]);
      const config = loadConfig();
      const days = opts.olderThan ?? config.retentionDays;
      if (days === 0) {
        process.stdout.write('prune: SWAS_RETENTION_DAYS is 0 (keep everything): nothing removed; pass --older-than <days> to prune anyway\n');
        return;
      }
      const handle = await openAppDatabase(config, { migrate: true });
      try {
        const result = await pruneRuns(handle.db, {
          olderThanDays: days,
          dryRun: opts.dryRun === true,
          ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
        });
        process.stdout.write(`${describePrune(result)}\n`);
      } finally {
        await handle.close();
      }
    });
  addExamples(cmd, [
    'swas-inventory prune --dry-run',
    'swas-inventory prune --older-than 30',
  ]);
}
