/**
 * Prometheus metrics of the worker. One registry per process (not prom-client's global one), so
 * tests can start several workers in one process without "metric already registered" errors.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  /** Finished runs by final status (`succeeded`, `partial`, `failed`). */
  runs: Counter<'status'>;
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
}

export interface MetricsOptions {
  /** Node process metrics (heap, event loop lag, ...). Default true. */
  defaultMetrics?: boolean;
  /** Called on each scrape to fill `swas_images`; errors leave the gauge as it was. */
  countImagesByStatus?: () => Promise<Array<{ status: string; count: number }>>;
  /** Called on each scrape to fill the notification gauges; errors leave them as they were. */
  notificationStatus?: () => Promise<Array<{ subscription: string; lagEvents: number; lagSeconds: number; dead: number }>>;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'swas_' });
  const countImages = options.countImagesByStatus;
  // One read serves the three gauges of a scrape.
  let statusRead: Promise<Array<{ subscription: string; lagEvents: number; lagSeconds: number; dead: number }> | null> | null = null;
  const readStatus = () => {
    if (options.notificationStatus === undefined) return Promise.resolve(null);
    statusRead ??= options.notificationStatus().catch(() => null).finally(() => { setTimeout(() => { statusRead = null; }, 100).unref(); });
    return statusRead;
  };
  const statusGauge = (name: string, help: string, pick: (s: { lagEvents: number; lagSeconds: number; dead: number }) => number) => new Gauge({
    name, help, labelNames: ['subscription'], registers: [registry],
    async collect() {
      const rows = await readStatus();
      if (rows === null) return;
      this.reset();
      for (const row of rows) this.set({ subscription: row.subscription }, pick(row));
    },
  });
  return {
    registry,
    runs: new Counter({ name: 'swas_sync_runs_total', help: 'Finished sync runs by status', labelNames: ['status'], registers: [registry] }),
    regionSyncs: new Counter({
      name: 'swas_region_syncs_total', help: 'Region sync attempts by outcome', labelNames: ['status'], registers: [registry],
    }),
    apiCalls: new Counter({
      name: 'swas_api_calls_total', help: 'SWAS API calls by action and result code', labelNames: ['action', 'code'], registers: [registry],
    }),
    throttles: new Counter({
      name: 'swas_throttles_total', help: 'Throttling answers from the SWAS API, by account', labelNames: ['account'], registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'swas_job_duration_seconds', help: 'Duration of one job attempt', labelNames: ['queue', 'outcome'], registers: [registry],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    }),
    imagesByStatus: new Gauge({
      name: 'swas_images', help: 'Images currently present (not deleted), by status', labelNames: ['status'], registers: [registry],
      async collect() {
        if (countImages === undefined) return;
        // A scrape must not fail because Postgres is briefly away: keep the last values instead.
        const rows = await countImages().catch(() => null);
        if (rows === null) return;
        this.reset();
        for (const row of rows) this.set({ status: row.status }, row.count);
      },
    }),
    deliveries: new Counter({
      name: 'swas_webhook_deliveries_total', help: 'Webhook delivery attempts by subscription and outcome', labelNames: ['subscription', 'outcome'], registers: [registry],
    }),
    deliveryLatency: new Histogram({
      name: 'swas_webhook_delivery_latency_seconds', help: 'From the commit of an event to its delivery', labelNames: ['subscription'], registers: [registry],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    }),
    notificationLagEvents: statusGauge('swas_webhook_lag_events', 'Events not yet delivered, by subscription', (s) => s.lagEvents),
    notificationLagSeconds: statusGauge('swas_webhook_lag_seconds', 'Age of the oldest event not yet delivered, by subscription', (s) => s.lagSeconds),
    prunedRows: new Counter({
      name: 'swas_pruned_rows_total', help: 'Run bookkeeping rows removed by the retention prune (SWAS_RETENTION_DAYS), by table', labelNames: ['table'], registers: [registry],
    }),
    deadEvents: statusGauge('swas_webhook_dead_events', 'Events recorded dead after their attempts ran out, by subscription', (s) => s.dead),
  };
}
