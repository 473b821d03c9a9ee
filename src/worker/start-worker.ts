/**
 * Wires the daemon: Postgres (migrated), Redis, the two queues and their workers, the schedule,
 * the per-account rate limiter, metrics and the ops HTTP server. Returns a handle whose close()
 * is the graceful shutdown (see shutdown.ts for the signals).
 */
import { randomUUID } from 'node:crypto';
import { FlowProducer, Queue, Worker, type JobsOptions } from 'bullmq';
import { sql } from 'drizzle-orm';
import type { Account } from '../config/accounts.js';
import { loadSubscriptions, type Subscription } from '../config/subscriptions.js';
import { notificationStatus } from '../notify/notification-status.js';
import type { Config } from '../config/env.js';
import { classifyError } from '../sync/classify-error.js';
import { SwasClients } from '../cloud/swas-client.js';
import type { DatabaseHandle } from '../db/database.js';
import { migrateDatabase } from '../db/migrate.js';
import { openDatabase } from '../db/open-database.js';
import { probeDatabase } from '../db/probe-database.js';
import { evictionPolicyProblem, readMaxmemoryPolicy, RedisEvictionPolicyError } from './redis-eviction-policy.js';
import { startHttpServer, type HttpServerHandle } from '../ops/http-server.js';
import { countImagesByStatus } from '../db/image-status-counts.js';
import type { Logger } from '../ops/logger.js';
import { createMetrics, type Metrics } from '../ops/metrics.js';
import { reportRegionEnd } from './report-region-end.js';
import { closeAbandonedRuns, finishRun, recordLeftOut, runningWorkerRuns, startRun } from '../sync/run-record.js';
import { AccountRateLimiter } from './account-rate-limit.js';
import { createFinishProcessor } from './finish-run-job.js';
import { accountJobData, MissingJobDataError, type AccountJobData, type AccountJobResult, type FinishJobData, type PlanJobData } from './job-data.js';
import { queueHolderLiveness, releaseRegions } from './overlap.js';
import { createPlanProcessor, type PlanDeps } from './plan-run.js';
import { createAccountProcessor, type AccountProcessorDeps } from './process-account-job.js';
import { RegionAdmission } from '../sync/region-admission.js';
import { RegionSlots } from '../sync/region-slots.js';
import { JOB_NAMES, REGIONS_QUEUE, RUNS_QUEUE, SCHEDULER_ID } from './queue-names.js';
import { databaseErrorCode, readFreshness, readQueues, readRedisPolicy, serviceErrorCode, SCHEDULE_LABELS } from './metric-readings.js';
import { scheduleIntervalMs } from '../reports/freshness.js';
import { assertRedisReachable, closeRedis, createRedisConnection, type RedisClient, type RedisSettings } from './redis-connection.js';
import { createRunsProcessor } from './runs-processor.js';
import { startNotifyQueue, type NotifyQueueHandle } from './notify-queue.js';
import { DEFAULT_PRUNE_PATTERN, startMaintenanceQueue, type MaintenanceQueueHandle } from './maintenance-queue.js';
import { ensureSchedule, schedulerDeclared, type ScheduleSpec } from './schedule.js';
import { ScheduleKeeper } from './schedule-keeper.js';
import { LOST_RUN_ERROR, LostRunSweeper, lostRegions, runsWithJobs } from './lost-runs.js';
import { shutDownWorker } from './shutdown.js';
import { createSyncAdapters } from './sync-adapters.js';
import { WorkerConfigError } from './worker-config-error.js';

/**
 * Account jobs per slot by default. An account's regions take its budget in turn, so one account
 * keeps about budget x latency calls in flight (5/s x 100 ms = 0.5): filling every slot takes
 * twice as many accounts as slots at those figures, four times leaves room for faster answers.
 */
export const ACCOUNT_JOBS_PER_SLOT = 4;

/** Knobs with production defaults; tests shorten the timings. */
export interface WorkerTuning {
  /** Regions (calls) one process has in flight at once, across its account jobs. Default WORKER_CONCURRENCY. */
  concurrency?: number;
  /** Account jobs one process runs at once. Default ACCOUNT_JOBS_PER_SLOT x concurrency. */
  accountJobs?: number;
  /** A job's lock; a killed worker's jobs come back after about this long. Default 30 s (BullMQ's). */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs. Default 30 s. */
  stalledIntervalMs?: number;
  /** Times a job may stall (its worker died) before it fails. Default 3: a crash is not the job's fault. */
  maxStalledCount?: number;
  /** How long ListRegions answers are reused. Default 1 h. */
  regionCacheTtlMs?: number;
  regionJobOptions?: JobsOptions;
  /** Active jobs get this long to finish at shutdown before the worker stops waiting. Default 60 s. */
  shutdownTimeoutMs?: number;
  /** A claim's safety-net expiry (claims of live jobs block regardless, dead ones never do). Default 6 h. */
  claimTtlMs?: number;
  /** The notifier's poll interval. Default NOTIFY_POLL_MS (5000). */
  notifyPollMs?: number;
  /** How often the worker checks that its schedules are in Redis (schedule-keeper.ts). Default 10 s. */
  scheduleCheckMs?: number;
  /** How long a run must stay without any job after Redis lost its data before it is closed (lost-runs.ts). Default 60 s. */
  lostRunGraceMs?: number;
}

const CLAIM_TTL_MS = 6 * 3600_000;

export interface StartWorkerOptions {
  config: Config;
  accounts: readonly Account[];
  logger: Logger;
  /** An open database (tests); default: DATABASE_URL, migrated at start. */
  database?: DatabaseHandle;
  /** The schedule to declare; default SYNC_CRON in SYNC_TZ; `false` declares none. */
  schedule?: ScheduleSpec | false;
  /**
   * When the retention prune runs (SWAS_RETENTION_DAYS); default daily at 03:41 in SYNC_TZ when this
   * worker declares the sync schedule, else none (`false`: this worker still processes prune jobs).
   */
  pruneSchedule?: ScheduleSpec | false;
  /** Start the ops HTTP server on this port (0 = any free port); default HTTP_PORT; `false` = none. */
  httpPort?: number | false;
  /** The ops server's address; default HTTP_HOST. */
  httpHost?: string;
  tuning?: WorkerTuning;
  /** Where `access_key` accounts' named variables are read. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Webhook subscriptions; default those of the accounts file. None: no notifier queue. */
  subscriptions?: readonly Subscription[];
  /** Replace pieces of the sync (tests of the queue mechanics); default the real pipeline. */
  overrides?: Partial<Pick<AccountProcessorDeps, 'syncRegion' | 'recordedRegions' | 'recordFailure' | 'classify'> & Pick<PlanDeps, 'regionsOf'>>;
}

export interface WorkerHandle {
  runsQueue: Queue<PlanJobData>;
  /** Account jobs (and region jobs an older worker planned). */
  regionsQueue: Queue<AccountJobData>;
  redis: RedisClient;
  database: DatabaseHandle;
  metrics: Metrics;
  /** The notifier's queue, when there are subscriptions. */
  notify: NotifyQueueHandle | null;
  /** The housekeeping queue (the daily prune). */
  maintenance: MaintenanceQueueHandle | null;
  http: HttpServerHandle | null;
  /** Stops taking jobs, lets active ones finish (up to the shutdown timeout), closes everything. Idempotent. */
  close(): Promise<void>;
}


export async function startWorker(options: StartWorkerOptions): Promise<WorkerHandle> {
  const { config, logger } = options;
  const tuning = options.tuning ?? {};
  const prefix = config.queuePrefix;
  // The accounts file's subscriptions are checked before anything is opened: a bad one is exit 2 at
  // once, never an error printed over open connections that keep the process alive (issue 22 #14).
  const subscriptions = options.subscriptions ?? loadSubscriptions(config, options.env ?? process.env);

  // Both services answer before anything starts: an unreachable one is one line and a non-zero exit, not a hang.
  await assertRedisReachable(config);
  await refuseEvictingRedis(config, logger);
  const database = options.database ?? await openWorkerDatabase(config, tuning.concurrency ?? config.workerConcurrency);
  if (options.database === undefined) {
    await probeDatabase(database);
    await migrateDatabase(database).catch(async (err: unknown) => {
      await database.close();
      throw err;
    });
  }
  const db = database.db;
  const abandoned = await closeAbandonedRuns(db);
  if (abandoned > 0) logger.warn({ runs: abandoned }, 'closed runs abandoned in the running state');

  // The readers run at scrape time only, once everything below exists (the ops server starts last).
  const syncInterval = scheduleIntervalSeconds(options.schedule || { pattern: config.syncCron, tz: config.syncTz });
  const configured = new Set(options.accounts.map((a) => a.name));
  const metrics = createMetrics({
    countImagesByStatus: () => countImagesByStatus(db),
    ...(subscriptions.length > 0 ? { notificationStatus: () => Promise.all(subscriptions.map((s) => notificationStatus(db, s.name))) } : {}),
    // Accounts no longer configured keep their region_states rows for ever: not this worker's to report.
    freshness: async () => {
      const reading = await readFreshness(db);
      return { ...reading, regions: reading.regions.filter((r) => configured.has(r.account)) };
    },
    staleAfterSeconds: 2 * syncInterval,
    // The keeper's own check (the one /readyz answers with): the schedules this worker keeps declared.
    schedules: async () => (await keeper.presence()).map((p) => ({ schedule: SCHEDULE_LABELS[p.id] ?? p.id, present: p.present })),
    queues: () => readQueues([runsQueue as Queue, regionsQueue as Queue, ...(notify ? [notify.queue] : []), ...(maintenance ? [maintenance.queue] : [])]),
    redisPolicy: () => readRedisPolicy(redis),
    onReadError: (reader, err) => countServiceError(err, ['schedules', 'queues', 'redis-policy'].includes(reader) ? 'redis' : 'database'),
  });
  metrics.scheduleInterval.set({ schedule: 'sync' }, syncInterval);
  /** Counts an error under the database when Postgres is what failed, else under `fallback` (if any). */
  const countServiceError = (err: unknown, fallback?: 'redis' | 'database'): void => {
    const code = databaseErrorCode(err);
    if (code !== null) metrics.countError('database', code);
    else if (fallback !== undefined) metrics.countError(fallback, serviceErrorCode(err));
  };
  const onRedisError = (err: Error): void => {
    metrics.countError('redis', serviceErrorCode(err));
    logger.warn({ err: err.message }, 'redis connection error (reconnecting)');
  };
  const redis = createRedisConnection(config, 'worker', onRedisError);
  const budgets = new Map(options.accounts.map((a) => [a.name, a.callsPerSecond]));
  const limiter = new AccountRateLimiter(redis, prefix, (name) => budgets.get(name) ?? config.callsPerSecond);
  const clients = new SwasClients({
    config,
    ...(options.env !== undefined ? { env: options.env } : {}),
    beforeCall: (info) => limiter.acquire(info.account),
  });
  const adapters = createSyncAdapters({
    db, clients, config, accounts: options.accounts, redis, prefix, regionCacheTtlMs: tuning.regionCacheTtlMs ?? 3600_000,
  });
  const classify = options.overrides?.classify ?? classifyError;

  const runsQueue = new Queue<PlanJobData>(RUNS_QUEUE, { connection: redis, prefix });
  const regionsQueue = new Queue<AccountJobData>(REGIONS_QUEUE, { connection: redis, prefix });
  const flows = new FlowProducer({ connection: redis, prefix });

  const holderLiveness = queueHolderLiveness({ redis, prefix, regionsQueue, runsQueue, claimTtlMs: tuning.claimTtlMs ?? CLAIM_TTL_MS });
  const planDeps: PlanDeps = {
    prefix, redis, flows, classify, logger, metrics, holderLiveness,
    claimTtlMs: tuning.claimTtlMs ?? CLAIM_TTL_MS,
    recordLeftOut: (runId, regions) => recordLeftOut(db, runId, regions),
    accounts: options.accounts.map((a) => a.name),
    startRun: (runId, trigger) => startRun(db, { id: runId, trigger }),
    regionsOf: options.overrides?.regionsOf ?? adapters.regionsOf,
    discoveryConcurrency: tuning.concurrency ?? config.workerConcurrency,
    ...(tuning.regionJobOptions !== undefined ? { regionJobOptions: tuning.regionJobOptions } : {}),
  };
  const planProcessor = createPlanProcessor(planDeps);
  const finishProcessor = createFinishProcessor({
    logger,
    onRunFinished: (summary) => metrics.countRun(summary),
    finishRun: (runId, opts) => finishRun(db, runId, opts),
    releaseClaims: (runId, regions) => releaseRegions(redis, prefix, runId, regions),
  });
  // Account jobs in this process, so a shutdown that abandons them also frees their regions at once.
  const activeJobs = new Map<string, AccountJobData>();
  const releaseActive = async (): Promise<void> => {
    await Promise.all([...activeJobs.values()].map((d) => releaseRegions(redis, prefix, d.runId, d.regions.map((r) => ({ account: d.account, regionId: r.regionId })))));
  };
  const concurrency = tuning.concurrency ?? config.workerConcurrency;
  let closing = false;
  let notify: NotifyQueueHandle | null = null;
  const innerAccountProcessor = createAccountProcessor({
    syncRegion: options.overrides?.syncRegion ?? adapters.syncRegion,
    recordedRegions: options.overrides?.recordedRegions ?? adapters.recordedRegions,
    recordFailure: options.overrides?.recordFailure ?? adapters.recordFailure,
    classify, limiter, logger,
    // Every attempt at a region is counted and logged here, not inside the job.
    onRegionEnd: reportRegionEnd(logger, metrics),
    admission: new RegionAdmission(new RegionSlots(concurrency), limiter),
    isClosing: () => closing,
    // A region that committed may have recorded events: wake the notifier rather than wait for its poll.
    onRegionCommitted: () => notify?.wake(),
    releaseClaims: (runId, regions) => releaseRegions(redis, prefix, runId, regions),
  });
  const accountProcessor: typeof innerAccountProcessor = async (job, token) => {
    const key = job.id ?? job.name;
    // Tracked as the processor reads it (an older worker's region job as an account job of one
    // region); data too broken to read is refused by the processor and holds no claim worth freeing.
    const data = readableAccountJob(job);
    if (data !== null) activeJobs.set(key, data);
    try {
      return await innerAccountProcessor(job, token);
    } finally {
      activeJobs.delete(key);
    }
  };

  const workerOptions = {
    prefix,
    // Nothing is taken before the whole daemon is up (ops port bound, schedule declared): a worker
    // that cannot start must not have processed a run first.
    autorun: false,
    lockDuration: tuning.lockDurationMs ?? 30_000,
    stalledInterval: tuning.stalledIntervalMs ?? 30_000,
    maxStalledCount: tuning.maxStalledCount ?? 3,
  };
  // Each worker gets its own connection: BullMQ blocks on it while waiting for jobs.
  const workerConnections = [createRedisConnection(config, 'worker', onRedisError), createRedisConnection(config, 'worker', onRedisError)];
  const runsWorker = new Worker<PlanJobData | FinishJobData>(RUNS_QUEUE, createRunsProcessor(planProcessor, finishProcessor), {
    ...workerOptions, connection: workerConnections[0] as RedisClient, concurrency: 2,
  });
  // More account jobs than slots: a job's regions wait for its account's budget holding no slot,
  // so the slots stay busy only if enough accounts have budget left (region-admission.ts).
  const regionsWorker = new Worker<AccountJobData, AccountJobResult>(REGIONS_QUEUE, accountProcessor, {
    ...workerOptions, connection: workerConnections[1] as RedisClient, concurrency: tuning.accountJobs ?? ACCOUNT_JOBS_PER_SLOT * concurrency,
  });
  // Without listeners, an 'error' event (e.g. Redis gone for a moment) would crash the process;
  // the connections reconnect by themselves.
  for (const w of [runsWorker, regionsWorker]) w.on('error', (err) => logger.error({ err: err.message, queue: w.name }, 'worker error'));
  // A job whose data was lost fails at once (MissingJobDataError, no retries); say so loudly, once per job.
  for (const w of [runsWorker, regionsWorker] as Worker[]) {
    w.on('failed', (job, err) => {
      countServiceError(err);
      if (err instanceof MissingJobDataError) logger.error({ queue: w.name, jobId: job?.id, err: err.message }, 'job data missing');
    });
  }
  for (const q of [runsQueue, regionsQueue]) q.on('error', (err) => logger.error({ err: err.message, queue: q.name }, 'queue error'));
  let maintenance: MaintenanceQueueHandle | null = null;
  const maintenanceConnection = createRedisConnection(config, 'worker', onRedisError);
  const notifyConnection = subscriptions.length > 0 ? createRedisConnection(config, 'worker', onRedisError) : null;
  flows.on('error', (err: Error) => logger.error({ err: err.message }, 'flow producer error'));

  /** A failed readiness probe counts as an error of its service, then fails the check. */
  const counted = (service: 'database' | 'redis') => (err: unknown): never => {
    countServiceError(err, service);
    throw err;
  };
  // Schedules survive Redis losing its data; runs whose jobs it lost are closed (schedule-keeper.ts, lost-runs.ts).
  const lostRuns = new LostRunSweeper({
    logger,
    graceMs: tuning.lostRunGraceMs ?? 60_000,
    runningRunsSince: (at) => runningWorkerRuns(db, at),
    aliveRuns: (runIds) => runsWithJobs(runsQueue as Queue, prefix, runIds, new Set([...activeJobs.values()].map((d) => d.runId))),
    closeLostRun: async (runId) => {
      const discovered = await Promise.allSettled(options.accounts.map(async (a) => (await planDeps.regionsOf(a.name)).targets));
      const expected = discovered.flatMap((r) => (r.status === 'fulfilled' ? r.value.map((t) => ({ account: t.account, regionId: t.regionId })) : []));
      await recordLeftOut(db, runId, await lostRegions(db, runId, expected));
      return finishRun(db, runId, discovered.some((r) => r.status === 'rejected') ? { error: LOST_RUN_ERROR } : {});
    },
  });
  const keeper = new ScheduleKeeper({
    redis, prefix, logger, workerId: randomUUID(),
    ...(tuning.scheduleCheckMs !== undefined ? { checkMs: tuning.scheduleCheckMs } : {}),
    onDataLoss: (at) => lostRuns.dataLost(at),
    afterCheck: () => lostRuns.sweep(),
  });

  let http: HttpServerHandle | null = null;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing = true;
    return shutDownWorker({
      logger,
      timeoutMs: tuning.shutdownTimeoutMs ?? 60_000,
      stopStarting: () => keeper.stop(),
      workers: [runsWorker, regionsWorker, notify, maintenance],
      activeJobs: () => ({ accountJobs: activeJobs.size }),
      releaseAbandoned: releaseActive,
      queues: [flows, runsQueue, regionsQueue],
      http,
      connections: [redis, ...workerConnections, maintenanceConnection, ...(notifyConnection ? [notifyConnection] : [])],
      closeConnection: closeRedis,
      database: options.database === undefined ? database : undefined,
    });
  };
  const closeOnce = (): Promise<void> => (closed ??= close());

  try {
    if (notifyConnection) {
      notify = await startNotifyQueue({
        db, subscriptions, prefix, connection: redis, workerConnection: notifyConnection, logger, metrics,
        lockDurationMs: workerOptions.lockDuration, stalledIntervalMs: workerOptions.stalledInterval,
        ...(tuning.notifyPollMs !== undefined ? { pollMs: tuning.notifyPollMs } : {}),
      });
    }
    maintenance = await startMaintenanceQueue({
      db, prefix, connection: redis, workerConnection: maintenanceConnection, logger, metrics,
      retentionDays: config.retentionDays,
      schedule: options.pruneSchedule ?? (options.schedule === false ? false : { pattern: DEFAULT_PRUNE_PATTERN, tz: config.syncTz }),
      lockDurationMs: workerOptions.lockDuration, stalledIntervalMs: workerOptions.stalledInterval,
    });
    if (options.httpPort !== false) {
      http = await startHttpServer({
        port: options.httpPort ?? config.httpPort,
        host: options.httpHost ?? config.httpHost,
        registry: metrics.registry,
        queues: [runsQueue as Queue, regionsQueue as Queue, ...(notify ? [notify.queue] : []), maintenance.queue],
        isClosing: () => closing,
        checks: [
          { name: 'postgres', check: () => db.execute(sql`select 1`).catch(counted('database')) },
          { name: 'redis', check: () => redis.ping().catch(counted('redis')) },
          { name: 'redis-eviction-policy', check: evictionPolicyCheck(redis, logger) },
          { name: 'schedules', check: () => keeper.readiness() },
        ],
      });
    }
    if (options.schedule !== false) {
      const spec = options.schedule ?? { pattern: config.syncCron, tz: config.syncTz };
      const outcome = await ensureSchedule(runsQueue, redis, prefix, spec);
      logger.info({ schedule: spec, outcome }, 'sync schedule declared');
      keeper.own({ id: SCHEDULER_ID, declared: () => schedulerDeclared(runsQueue as Queue, SCHEDULER_ID), declare: () => ensureSchedule(runsQueue, redis, prefix, spec) });
    }
    keeper.own(maintenance.owned);
    await Promise.all([runsWorker.waitUntilReady(), regionsWorker.waitUntilReady()]);
    for (const w of [runsWorker, regionsWorker]) {
      w.run().catch((err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err), queue: w.name }, 'worker stopped processing'));
    }
    // Created before the ops server (its board shows the queue) but delivering only from here on.
    await notify?.run();
    keeper.own(notify?.owned);
    await keeper.start();
  } catch (err) {
    // A half-started worker (port taken, Redis unreachable) must not keep the process alive.
    await closeOnce();
    throw err;
  }
  logger.info({ prefix, concurrency: tuning.concurrency ?? config.workerConcurrency, accounts: options.accounts.length,
    httpHost: http?.host ?? null, httpPort: http?.port ?? null }, 'worker started');

  return { runsQueue, regionsQueue, redis, database, metrics, notify, maintenance, http, close: closeOnce };
}

/** The longest gap between two runs of the schedule, in seconds. */
function scheduleIntervalSeconds(spec: ScheduleSpec): number {
  return ('every' in spec ? spec.every : scheduleIntervalMs(spec.pattern, spec.tz, new Date())) / 1000;
}

function readableAccountJob(job: Parameters<typeof accountJobData>[0]): AccountJobData | null {
  try {
    return accountJobData(job, JOB_NAMES.region);
  } catch {
    return null;
  }
}

/** Before anything starts: a Redis that may evict queue keys is refused (see redis-eviction-policy.ts). */
async function refuseEvictingRedis(settings: RedisSettings, logger: Logger): Promise<void> {
  const probe = createRedisConnection(settings, 'client');
  try {
    const policy = await readMaxmemoryPolicy(probe);
    const problem = evictionPolicyProblem(policy);
    if (problem !== null) {
      logger.error({ maxmemoryPolicy: policy, reason: problem }, 'refusing to start: Redis may evict queue keys');
      throw new RedisEvictionPolicyError(policy, problem);
    }
  } finally {
    await closeRedis(probe);
  }
}

/**
 * /readyz re-reads the policy (someone may CONFIG SET it while the worker runs): not ready while it
 * is unsafe, with the reason in the answer and, once per change, in the log.
 */
function evictionPolicyCheck(redis: RedisClient, logger: Logger): () => Promise<void> {
  let reported: string | null = null;
  return async () => {
    const policy = await readMaxmemoryPolicy(redis);
    const problem = evictionPolicyProblem(policy);
    if (problem !== reported) {
      if (problem !== null) logger.error({ maxmemoryPolicy: policy, reason: problem }, 'not ready: Redis may evict queue keys');
      else logger.info({ maxmemoryPolicy: policy }, 'Redis maxmemory-policy is safe again');
      reported = problem;
    }
    if (problem !== null) throw new Error(problem);
  };
}

async function openWorkerDatabase(config: Config, regionJobs: number): Promise<DatabaseHandle> {
  if (config.databaseUrl === null) {
    // Workers on several machines share one database; an embedded PGlite belongs to one process.
    throw new WorkerConfigError('The worker needs PostgreSQL: set DATABASE_URL (e.g. postgres://user@host:5432/swas). ' +
      'The embedded database is for the one-shot `sync` command only.');
  }
  // One connection per slot, so that as many regions as there are slots can write at once (a
  // region's transaction holds its connection), plus the batched clock and unchanged-region
  // statements and the run bookkeeping. No region waits for a second connection while it holds
  // one (in its transaction it reads the clock on its own connection: region-writer.ts), so a
  // smaller pool would only queue writes, not deadlock them.
  return openDatabase({ databaseUrl: config.databaseUrl, maxConnections: regionJobs + 3 });
}
