/**
 * `swas-inventory worker` (the daemon) and `swas-inventory enqueue` (a run on demand).
 * Registered by src/cli/main.ts; nothing runs at import, and the heavy modules (BullMQ, the ops
 * server, Bull Board) load only when one of these commands runs: every other command's process
 * stays ~30 MB smaller.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { Account } from '../../config/accounts.js';
import type { Config } from '../../config/env.js';
import { CONNECT_TIMEOUT_MS, ServiceUnavailableError, withDeadline } from '../../ops/service-unavailable.js';
import type { Logger } from '../../ops/logger.js';
import { addExamples, addOutputOptions, resolveOutput, type OutputFlags } from '../command-options.js';
import { describeTerminal } from '../../reports/format/terminal.js';
import type { PlanJobData } from '../../worker/job-data.js';
import type { WorkerTuning } from '../../worker/start-worker.js';
import { WorkerConfigError } from '../../worker/worker-config-error.js';

export interface WorkerCliDeps {
  /** Default: loadConfig(process.env). */
  loadConfig?: () => Config;
  /** Default: loadAccounts(config) (SWAS_CONFIG, or the one `default` account). */
  loadAccounts?: (config: Config) => Account[];
  /** Default: createLogger({ level: config.logLevel }) (stderr, JSON unless a TTY, secrets redacted). */
  createLogger?: (config: Config) => Logger;
  /** Where `enqueue` prints its result. Default process.stdout. */
  stdout?: NodeJS.WritableStream;
}

interface WorkerCommandOptions {
  schedule: boolean;
  every?: number;
  concurrency?: number;
  shutdownTimeout: number;
  lockDuration?: number;
  stalledInterval?: number;
}

interface EnqueueCommandOptions extends OutputFlags {
  wait?: boolean;
  timeout: number;
}

const positiveInt = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return Number(value);
};

/** The defaults of WorkerCliDeps, loaded when a command runs, not when the program is built (src/cli/program.ts). */
async function resolveDeps(deps: WorkerCliDeps) {
  const [{ loadConfig }, { loadAccounts }, { createLogger }] = await Promise.all([
    import('../../config/env.js'), import('../../config/accounts.js'), import('../../ops/logger.js')]);
  return {
    getConfig: deps.loadConfig ?? (() => loadConfig()),
    getAccounts: deps.loadAccounts ?? ((config: Config) => loadAccounts(config)),
    getLogger: deps.createLogger ?? ((config: Config) => createLogger({ level: config.logLevel })),
  };
}

export function registerWorkerCommands(program: Command, deps: WorkerCliDeps = {}): void {

  program
    .command('worker')
    .description('run the sync daemon: declares the SYNC_CRON schedule and processes runs from Redis (BullMQ); scale out by starting more')
    .option('--no-schedule', 'do not declare the schedule (this worker only processes jobs)')
    .option('--every <ms>', 'schedule runs every <ms> instead of SYNC_CRON (demos, tests)', positiveInt)
    .option('--concurrency <n>', 'region jobs at once in this process (default WORKER_CONCURRENCY)', positiveInt)
    .option('--shutdown-timeout <ms>', 'on SIGTERM, how long active jobs may take to finish', positiveInt, 60_000)
    .option('--lock-duration <ms>', 'job lock; a killed worker\'s jobs are re-run after about this long (default 30000)', positiveInt)
    .option('--stalled-interval <ms>', 'how often to look for jobs of killed workers (default 30000)', positiveInt)
    .action(async (opts: WorkerCommandOptions) => {
      const { getConfig, getLogger, getAccounts } = await resolveDeps(deps);
      const config = getConfig();
      const logger = getLogger(config);
      const accounts = getAccounts(config);
      // Checked here too, before the worker's modules load and its connections open: exit 2 at once.
      const subscriptions = (await import('../../config/subscriptions.js')).loadSubscriptions(config);
      const tuning: WorkerTuning = {
        shutdownTimeoutMs: opts.shutdownTimeout,
        ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
        ...(opts.lockDuration !== undefined ? { lockDurationMs: opts.lockDuration } : {}),
        ...(opts.stalledInterval !== undefined ? { stalledIntervalMs: opts.stalledInterval } : {}),
      };
      const schedule = !opts.schedule ? false as const
        : opts.every !== undefined ? { every: opts.every } : { pattern: config.syncCron, tz: config.syncTz };
      const [{ startWorker }, { installShutdownHandlers }] = await Promise.all([import('../../worker/start-worker.js'), import('../../worker/shutdown.js')]);
      const handle = await startWorker({ config, accounts, subscriptions, logger, schedule, tuning });
      const { stopped } = installShutdownHandlers(handle, { logger });
      // Resolve only when the daemon stops, so the caller's parseAsync() does not return early.
      await stopped;
    });

  const enqueue = program
    .command('enqueue')
    .description('enqueue a full sync run now for the running workers; with --wait, wait for its result')
    .option('--wait', 'wait until the run finishes; exit 1 unless it succeeded')
    .option('--timeout <ms>', 'with --wait: give up after <ms>', positiveInt, 600_000);
  addOutputOptions(enqueue, { jsonAlias: true });
  addExamples(enqueue, [
    'swas-inventory enqueue',
    'swas-inventory enqueue --wait --timeout 300000 || echo "the run did not succeed"',
    "swas-inventory enqueue --wait --format json | jq '.eventCounts'",
  ]);
  enqueue
    .action(async (opts: EnqueueCommandOptions) => {
      const { getConfig } = await resolveDeps(deps);
      const config = getConfig();
      const out = deps.stdout ?? process.stdout;
      // One record: a line for people, the same keys as JSON or a one-row CSV for scripts.
      const { format } = resolveOutput(opts, describeTerminal(out as { isTTY?: boolean; columns?: number }, process.env));
      const print = (doc: Record<string, unknown>, line: string) => out.write(
        format === 'json' ? formatJson(doc) : format === 'csv' ? formatCsv(Object.keys(doc), [doc]) : `${line}\n`);
      // Loaded here: only the worker's commands need Redis (ioredis is ~10 MB of every other command's heap).
      const [{ Queue }, { enqueueRun, waitForRun }, { assertRedisReachable, closeRedis, createRedisConnection, describeRedis }, { RUNS_QUEUE },
        { formatCsv }, { formatJson }] = await Promise.all([
        import('bullmq'), import('../../worker/enqueue-run.js'), import('../../worker/redis-connection.js'), import('../../worker/queue-names.js'),
        import('../../reports/format/format-csv.js'), import('../../reports/format/format-json.js')]);
      await assertRedisReachable(config);
      const redis = createRedisConnection(config, 'client');
      const where = describeRedis(config);
      const queue = new Queue<PlanJobData>(RUNS_QUEUE, { connection: redis, prefix: config.queuePrefix });
      queue.on('error', () => {}); // reported through the rejected add below, once
      try {
        const { runId, jobId } = await withDeadline(enqueueRun(queue), CONNECT_TIMEOUT_MS,
          () => new ServiceUnavailableError('Redis', where.address, where.envVar, `adding the run did not finish within ${CONNECT_TIMEOUT_MS} ms`));
        if (!opts.wait) {
          print({ runId, jobId, status: 'queued' }, `run ${runId} queued`);
          return;
        }
        if (config.databaseUrl === null) throw new WorkerConfigError('enqueue --wait reads the run from PostgreSQL: set DATABASE_URL.');
        const [{ openDatabase }, { probeDatabase }, { migrateDatabase }, { regionsNotSynced }] = await Promise.all([
          import('../../db/open-database.js'), import('../../db/probe-database.js'), import('../../db/migrate.js'), import('../../db/region-syncs.js')]);
        const database = await openDatabase({ databaseUrl: config.databaseUrl, maxConnections: 1 });
        await probeDatabase(database);
        try {
          await migrateDatabase(database);
          const run = await waitForRun(database.db, runId, { timeoutMs: opts.timeout });
          const leftOut = (await regionsNotSynced(database.db, runId)).filter((r) => r.status === 'skipped');
          // `error` names every region not synced and why (left out: held by an earlier run, not reached).
          print({ runId, status: run.status, regionsTotal: run.regionsTotal, regionsSucceeded: run.regionsSucceeded,
            regionsIncomplete: run.regionsIncomplete, regionsFailed: run.regionsFailed, imagesSeen: run.imagesSeen, eventCounts: run.eventCounts, error: run.error },
          `run ${runId} ${run.status}: ${run.regionsSucceeded}/${run.regionsTotal} regions succeeded, ${run.regionsFailed - leftOut.length} failed, ` +
            `${leftOut.length} left out, ${run.imagesSeen} images${run.error !== null ? `\n  ${run.error}` : ''}`);
          if (run.status !== 'succeeded') process.exitCode = 1;
        } finally {
          await database.close();
        }
      } finally {
        await queue.close();
        await closeRedis(redis);
      }
    });
}
