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
}

export interface MetricsOptions {
  /** Node process metrics (heap, event loop lag, ...). Default true. */
  defaultMetrics?: boolean;
  /** Called on each scrape to fill `swas_images`; errors leave the gauge as it was. */
  countImagesByStatus?: () => Promise<Array<{ status: string; count: number }>>;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'swas_' });
  const countImages = options.countImagesByStatus;
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
  };
}
