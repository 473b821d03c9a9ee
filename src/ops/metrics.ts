/**
 * Prometheus metrics of the worker. One registry per process (not prom-client's global one), so
 * tests can start several workers in one process without "metric already registered" errors.
 *
 * Two kinds: counters the worker's hooks add to as things happen (runs, regions, calls, errors),
 * and gauges read at scrape time from Postgres and Redis through the readers in MetricsOptions
 * (freshness, schedules, queues, webhook lag). A reader that fails leaves its gauges as they were
 * (a scrape must not fail because Postgres is away for a moment) and is reported to `onReadError`.
 * Every label is bounded: accounts and subscriptions by the configuration, regions by the API,
 * queues, schedules and states by this code, error codes by a LabelBound (at most 50, then `other`).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { LabelBound } from './label-bound.js';

export interface Metrics {
  registry: Registry;
  /** Finished runs by final status (`succeeded`, `partial`, `failed`). */
  runs: Counter<'status'>;
  /** Regions a finished run did not sync fully, by status (`failed`, `incomplete`, `skipped`) and reason (the region's error code). */
  regionsNotSynced: Counter<'status' | 'reason'>;
  /** Region syncs by outcome (`succeeded`, `incomplete`, `failed`, `retried`, `throttled`). */
  regionSyncs: Counter<'status'>;
  /** API calls by action and result code (`OK`, or the error code of the failed call). */
  apiCalls: Counter<'action' | 'code'>;
  /** Throttling answers (`Throttling*`), per account. */
  throttles: Counter<'account'>;
  /** Wall time of one job run (one attempt), by queue and outcome. */
  jobDuration: Histogram<'queue' | 'outcome'>;
  /** Images currently present, by status label; read from Postgres at scrape time. */
  imagesByStatus: Gauge<'status'>;
  /** Webhook delivery attempts by subscription (its name, never its URL) and outcome (`delivered`, `failed`, `dead`). */
  deliveries: Counter<'subscription' | 'outcome'>;
  /** From an event's commit (observed_at) to its delivery, by subscription. */
  deliveryLatency: Histogram<'subscription'>;
  /** Events not yet delivered, by subscription; read from Postgres at scrape time. */
  notificationLagEvents: Gauge<'subscription'>;
  /** Age of the oldest event not yet delivered, by subscription. */
  notificationLagSeconds: Gauge<'subscription'>;
  /** Events recorded dead (attempts ran out), by subscription. */
  deadEvents: Gauge<'subscription'>;
  /** Rows the retention prune removed, by table (`sync_runs`, `region_syncs`). */
  prunedRows: Counter<'table'>;
  /** The longest gap between two runs of a schedule (the sync's: what "stale" is measured against). */
  scheduleInterval: Gauge<'schedule'>;
  /** Errors from Postgres by SQLSTATE (or the driver's connection code), wherever the worker met them. */
  databaseErrors: Counter<'code'>;
  /** Errors from Redis by code (a socket code, or the reply's first word: `READONLY`, `OOM`, ...). */
  redisErrors: Counter<'code'>;
  /** Adds one error to `databaseErrors` / `redisErrors` with its code bounded. */
  countError(service: 'database' | 'redis', code: string | null | undefined): void;
  /** A run finished: counts it by status and its regions that did not sync fully by reason (bounded). */
  countRun(run: FinishedRun): void;
}

/** What a finished run tells the metrics (the fields of the sync's RunSummary it needs). */
export interface FinishedRun {
  status: string;
  /** Regions of the run that did not sync fully, grouped by status and error code. */
  notSynced: ReadonlyArray<{ status: string; code: string | null; regions: number }>;
}

export interface RegionAge {
  account: string;
  region: string;
  /** Seconds since the region's last complete listing committed; null: it never had one. */
  ageSeconds: number | null;
}

export interface FreshnessReading {
  regions: RegionAge[];
  /** Seconds since the last `succeeded` run ended (with none yet, since the first run started); null: no run at all. */
  lastSuccessAgeSeconds: number | null;
}

export interface QueueReading {
  queue: string;
  /** Jobs by BullMQ state (`waiting`, `active`, `delayed`, `failed`, ...). */
  counts: Record<string, number>;
  /** Seconds the oldest waiting job has been due; 0 when none waits. */
  oldestWaitingSeconds: number;
}

type Reader<T> = () => Promise<T>;

export interface MetricsOptions {
  /** Node process metrics (heap, event loop lag, ...). Default true. */
  defaultMetrics?: boolean;
  /** Fills `swas_images`. */
  countImagesByStatus?: Reader<Array<{ status: string; count: number }>>;
  /** Fills the webhook lag and dead gauges. */
  notificationStatus?: Reader<Array<{ subscription: string; lagEvents: number; lagSeconds: number; dead: number }>>;
  /** Fills the per-region listing age, the freshness counts and the last successful run's age. */
  freshness?: Reader<FreshnessReading>;
  /** A region is stale past this age (the `status` command's rule: twice the schedule's interval). Default 1800. */
  staleAfterSeconds?: number;
  /** Fills `swas_schedule_present`: each schedule this worker expects, and whether Redis has it. */
  schedules?: Reader<Array<{ schedule: string; present: boolean }>>;
  /** Fills the queue depth and oldest-waiting gauges. */
  queues?: Reader<QueueReading[]>;
  /** Fills `swas_redis_eviction_policy_safe`. */
  redisPolicy?: Reader<{ policy: string | null; safe: boolean }>;
  /** A reader failed or timed out (its gauges keep their last values). */
  onReadError?: (reader: string, err: unknown) => void;
  /** How long a scrape waits for each reader. Default 2000 ms (well inside Prometheus's 10 s scrape timeout). */
  readTimeoutMs?: number;
}

/** A scrape-time read that did not answer in time (Redis or Postgres away: their commands wait for a reconnect). */
export class ScrapeReadTimeout extends Error {
  override name = 'ScrapeReadTimeout';
  readonly code = 'SCRAPE_TIMEOUT';
  constructor(reader: string, ms: number) {
    super(`metrics reader ${reader} did not answer within ${ms} ms`);
  }
}

/**
 * Reads once per scrape for the gauges that share a reader. A failure, or no answer within
 * `timeoutMs`, is null (the gauges keep their values) and is reported; a read still pending is
 * shared by later scrapes rather than started again, so a Redis that is away does not pile reads up.
 */
function sharedRead<T>(name: string, reader: Reader<T> | undefined, timeoutMs: number, onError: MetricsOptions['onReadError']): () => Promise<T | null> {
  let inFlight: Promise<T | null> | null = null;
  return async () => {
    if (reader === undefined) return null;
    if (inFlight === null) {
      const read = reader().catch((err: unknown) => { onError?.(name, err); return null; });
      inFlight = read;
      void read.finally(() => { setTimeout(() => { inFlight = null; }, 100).unref(); });
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => { onError?.(name, new ScrapeReadTimeout(name, timeoutMs)); resolve(null); }, timeoutMs);
    });
    try {
      return await Promise.race([inFlight, late]);
    } finally {
      clearTimeout(timer);
    }
  };
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'swas_' });
  const onError = options.onReadError;
  const timeoutMs = options.readTimeoutMs ?? 2_000;
  const staleAfter = options.staleAfterSeconds ?? 1800;

  /** A gauge refilled from a shared reader at each scrape; `fill` sets its series from the reading. */
  const scrapeGauge = <T, L extends string>(name: string, help: string, labelNames: L[], read: () => Promise<T | null>, fill: (g: Gauge<L>, value: T) => void) =>
    new Gauge<L>({
      name, help, labelNames, registers,
      async collect() {
        const value = await read();
        if (value === null) return;
        this.reset();
        fill(this, value);
      },
    });

  const readImages = sharedRead('images', options.countImagesByStatus, timeoutMs, onError);
  const readStatus = sharedRead('notifications', options.notificationStatus, timeoutMs, onError);
  const readFreshness = sharedRead('freshness', options.freshness, timeoutMs, onError);
  const readSchedules = sharedRead('schedules', options.schedules, timeoutMs, onError);
  const readQueues = sharedRead('queues', options.queues, timeoutMs, onError);
  const readPolicy = sharedRead('redis-policy', options.redisPolicy, timeoutMs, onError);

  const status = (name: string, help: string, pick: (s: { lagEvents: number; lagSeconds: number; dead: number }) => number) =>
    scrapeGauge(name, help, ['subscription'], readStatus, (g, rows) => { for (const r of rows) g.set({ subscription: r.subscription }, pick(r)); });

  scrapeGauge('swas_region_listing_age_seconds',
    'Seconds since each account and region last committed a complete listing (regions that never had one are counted in swas_regions)',
    ['account', 'region'], readFreshness, (g, f) => {
      for (const r of f.regions) if (r.ageSeconds !== null) g.set({ account: r.account, region: r.region }, r.ageSeconds);
    });
  scrapeGauge('swas_regions', `Regions by freshness: fresh, stale (last complete listing older than twice the schedule), never_complete`,
    ['freshness'], readFreshness, (g, f) => {
      const n = { fresh: 0, stale: 0, never_complete: 0 };
      for (const r of f.regions) n[r.ageSeconds === null ? 'never_complete' : r.ageSeconds > staleAfter ? 'stale' : 'fresh']++;
      for (const [freshness, count] of Object.entries(n)) g.set({ freshness }, count);
    });
  scrapeGauge('swas_last_successful_run_age_seconds',
    'Seconds since the last succeeded run ended (with none yet, since the first run started; absent before any run)',
    [], readFreshness, (g, f) => { if (f.lastSuccessAgeSeconds !== null) g.set(f.lastSuccessAgeSeconds); });
  scrapeGauge('swas_schedule_present', 'Whether each schedule this worker expects (sync, prune, notifier) exists in Redis: 1 present, 0 missing',
    ['schedule'], readSchedules, (g, rows) => { for (const r of rows) g.set({ schedule: r.schedule }, r.present ? 1 : 0); });
  scrapeGauge('swas_queue_jobs', 'Jobs in each queue by state', ['queue', 'state'], readQueues, (g, rows) => {
    for (const q of rows) for (const [state, count] of Object.entries(q.counts)) g.set({ queue: q.queue, state }, count);
  });
  scrapeGauge('swas_queue_oldest_waiting_seconds', 'Seconds the oldest waiting job of each queue has been due (0 when none waits)',
    ['queue'], readQueues, (g, rows) => { for (const q of rows) g.set({ queue: q.queue }, q.oldestWaitingSeconds); });
  scrapeGauge('swas_redis_eviction_policy_safe', 'Whether Redis maxmemory-policy is noeviction (1) or may evict queue keys (0), with the policy read',
    ['policy'], readPolicy, (g, p) => { g.set({ policy: p.policy ?? 'unknown' }, p.safe ? 1 : 0); });

  const errorCodes = { database: new LabelBound(50), redis: new LabelBound(50) };
  const reasons = new LabelBound(50);
  const databaseErrors = new Counter({ name: 'swas_database_errors_total', help: 'Errors from PostgreSQL by SQLSTATE or connection code', labelNames: ['code'], registers });
  const redisErrors = new Counter({ name: 'swas_redis_errors_total', help: 'Errors from Redis by code (socket code or reply prefix)', labelNames: ['code'], registers });

  const runs = new Counter({ name: 'swas_sync_runs_total', help: 'Finished sync runs by status', labelNames: ['status'], registers });
  // Every status from zero, so increase() sees a scrape's first partial run (a series born at 1 has no increase).
  for (const status of ['succeeded', 'partial', 'failed']) runs.inc({ status }, 0);
  const regionsNotSynced = new Counter({
    name: 'swas_regions_not_synced_total', help: 'Regions a finished run did not sync fully (failed, incomplete or skipped), by reason',
    labelNames: ['status', 'reason'], registers,
  });

  return {
    registry,
    runs,
    regionsNotSynced,
    countRun: (run) => {
      runs.inc({ status: run.status });
      for (const r of run.notSynced) regionsNotSynced.inc({ status: r.status, reason: reasons.value(r.code ?? 'unknown') }, r.regions);
    },
    regionSyncs: new Counter({ name: 'swas_region_syncs_total', help: 'Region sync attempts by outcome', labelNames: ['status'], registers }),
    apiCalls: new Counter({ name: 'swas_api_calls_total', help: 'SWAS API calls by action and result code', labelNames: ['action', 'code'], registers }),
    throttles: new Counter({ name: 'swas_throttles_total', help: 'Throttling answers from the SWAS API, by account', labelNames: ['account'], registers }),
    jobDuration: new Histogram({
      name: 'swas_job_duration_seconds', help: 'Duration of one job attempt', labelNames: ['queue', 'outcome'], registers,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    }),
    imagesByStatus: scrapeGauge('swas_images', 'Images currently present (not deleted), by status', ['status'], readImages,
      (g, rows) => { for (const r of rows) g.set({ status: r.status }, r.count); }),
    deliveries: new Counter({
      name: 'swas_webhook_deliveries_total', help: 'Webhook delivery attempts by subscription and outcome', labelNames: ['subscription', 'outcome'], registers,
    }),
    deliveryLatency: new Histogram({
      name: 'swas_webhook_delivery_latency_seconds', help: 'From the commit of an event to its delivery', labelNames: ['subscription'], registers,
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    }),
    notificationLagEvents: status('swas_webhook_lag_events', 'Events not yet delivered, by subscription', (s) => s.lagEvents),
    notificationLagSeconds: status('swas_webhook_lag_seconds', 'Age of the oldest event not yet delivered, by subscription', (s) => s.lagSeconds),
    prunedRows: new Counter({
      name: 'swas_pruned_rows_total', help: 'Run bookkeeping rows removed by the retention prune (SWAS_RETENTION_DAYS), by table', labelNames: ['table'], registers,
    }),
    deadEvents: status('swas_webhook_dead_events', 'Events recorded dead after their attempts ran out, by subscription', (s) => s.dead),
    scheduleInterval: new Gauge({
      name: 'swas_schedule_interval_seconds', help: 'Longest gap between two runs of a schedule (stale means older than twice the sync one)',
      labelNames: ['schedule'], registers,
    }),
    databaseErrors,
    redisErrors,
    countError: (service, code) => {
      (service === 'database' ? databaseErrors : redisErrors).inc({ code: errorCodes[service].value(code ?? 'unknown') });
    },
  };
}
