/**
 * The console bench (issue 21): the synthetic history of the reports bench (bench/reports; default
 * 100 accounts x 1,000 images x 10 versions = 100,000 images, 1,000,000 versions and events), the
 * console server in-process on it, and each route's server time (from the server receiving the
 * request to the last byte of its answer handed to the socket: the http server's own request and
 * finish events, so the in-process client's share is not counted) against its SQL alone: the time
 * the same requests spent inside the database calls (ConsoleDatabase.use, the reports library's
 * queries and the driver), measured in the same run. The round trip as the client saw it is kept
 * in the details. Goal: the page within 2x of its SQL. Also each page's
 * bytes (goal: under 200 KB). `BENCH_SHAPE=AxIxV` sets the shape (e.g. 20x500x10 for a small run).
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { startConsoleServer } from '../../src/console/console-server.js';
import { consoleDatabase, type ConsoleDatabase } from '../../src/console/database-access.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { openDatabase } from '../../src/db/open-database.js';
import { adminUrl, urlFor } from '../lib/bench-database.js';
import { judge, round, type CaseResult, type Figure } from '../lib/case-result.js';
import { nowMs } from '../lib/timing.js';
import { generateHistory, type GenerateOptions } from '../reports/generate-history.js';

export interface ConsoleBenchOptions extends Partial<GenerateOptions> {
  /** Timed requests per route after one warm-up (default 20). */
  requests?: number;
}

const PAGE_BYTES_GOAL = 200 * 1024;

/** Wraps the database so the time each request spends in its queries is known. */
function timedDatabase(inner: ConsoleDatabase): ConsoleDatabase & { take(): number } {
  let spent = 0;
  return {
    kind: inner.kind,
    async use(fn) {
      const t0 = nowMs();
      try {
        return await inner.use(fn);
      } finally {
        spent += nowMs() - t0;
      }
    },
    close: () => inner.close(),
    take() {
      const s = spent;
      spent = 0;
      return s;
    },
  };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export async function consoleCase(options: ConsoleBenchOptions = {}): Promise<CaseResult> {
  const env = process.env.BENCH_SHAPE?.split('x').map(Number);
  const shape: GenerateOptions = {
    accounts: env?.[0] ?? options.accounts ?? 100,
    imagesPerAccount: env?.[1] ?? options.imagesPerAccount ?? 1_000,
    versionsPerImage: env?.[2] ?? options.versionsPerImage ?? 10,
  };
  const requests = options.requests ?? 20;
  const name = `swas_bench_console_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = urlFor(name);
  const client = postgres(url, { max: 1, onnotice: () => {} });
  const handle = await openDatabase({ databaseUrl: url, maxConnections: 4 });
  try {
    await migrateDatabase(handle);
    const generated = await generateHistory(client, shape);
    await client.unsafe('vacuum analyze');
    const [span] = await client.unsafe<Array<{ mid: string }>>(
      'select (min(valid_from) + (max(valid_from) - min(valid_from)) / 2)::text as mid from swas.custom_image_versions');
    const asOf = new Date(span?.mid ?? Date.now()).toISOString();
    const [longest] = await client.unsafe<Array<{ account: string; image_id: string; n: number }>>(
      'select account, image_id, count(*)::int as n from swas.image_events group by 1, 2 order by 3 desc, 2 limit 1');
    const database = timedDatabase(consoleDatabase({ kind: 'postgres', open: async () => ({ ...handle, close: async () => {} }) }));
    const server = await startConsoleServer({
      host: '127.0.0.1', port: 0, database, now: () => new Date(), staleAfterMs: () => 30 * 60_000, subscriptions: () => [],
    });
    // Server time per request, from the http server's own events (see the header).
    let served = NaN;
    server.server.prependListener('request', (_req, res) => {
      const t0 = nowMs();
      res.once('finish', () => { served = nowMs() - t0; });
    });
    const routes: Array<[string, string]> = [
      ['/ (overview)', '/'],
      ['/images (first page)', '/images'],
      ['/images (filtered)', '/images?region=cn-beijing&status=unavailable&tag=env'],
      ['/images (as of)', `/images?as_of=${encodeURIComponent(asOf)}`],
      [`/images/{id} (${longest?.n ?? 0} events)`, `/images/${longest?.image_id ?? 'm-bench0000000'}?account=${longest?.account ?? ''}`],
      ['/changes', '/changes'],
    ];
    const figures: Figure[] = [];
    const details: Record<string, unknown>[] = [];
    try {
      for (const [label, path] of routes) {
        const server_: number[] = [];
        const roundTrip: number[] = [];
        const sql: number[] = [];
        let bytes = 0;
        for (let i = 0; i <= requests; i++) {
          database.take();
          served = NaN;
          const t0 = nowMs();
          const res = await fetch(`${server.url}${path}`);
          const body = await res.arrayBuffer();
          const total = nowMs() - t0;
          const inDb = database.take();
          if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
          bytes = body.byteLength;
          if (Number.isNaN(served)) throw new Error(`${path}: the server's finish event was not seen`);
          if (i > 0) { server_.push(served); roundTrip.push(total); sql.push(inDb); } // the first request warms caches
        }
        const row = {
          route: label, path, serverP50: round(percentile(server_, 50), 1), serverP95: round(percentile(server_, 95), 1),
          sqlP50: round(percentile(sql, 50), 1), sqlP95: round(percentile(sql, 95), 1),
          roundTripP50: round(percentile(roundTrip, 50), 1), bytes,
        };
        details.push(row);
        figures.push(judge({
          metric: `${label}: server p50 / its SQL p50`, value: row.serverP50, unit: 'ms',
          baseline: { label: 'SQL alone', value: row.sqlP50, unit: 'ms' }, ratio: round(row.serverP50 / Math.max(row.sqlP50, 0.001), 2),
          goal: { op: '<=', target: 2 },
        }));
        figures.push(judge({
          metric: `${label}: page bytes / 200 KB`, value: bytes, unit: 'B',
          baseline: { label: 'goal', value: PAGE_BYTES_GOAL, unit: 'B' }, ratio: round(bytes / PAGE_BYTES_GOAL, 3), goal: { op: '<', target: 1 },
        }));
      }
    } finally {
      await server.close();
    }
    return {
      id: 'console',
      title: `Console: pages over ${generated.images.toLocaleString('en-US')} images, ${generated.versions.toLocaleString('en-US')} versions`,
      figures,
      details: { shape, generated, requests, routes: details },
      notes: details.map((d) => `${String(d.route)}: server p50 ${String(d.serverP50)} / p95 ${String(d.serverP95)} ms, SQL p50 ${String(d.sqlP50)} / p95 ${String(d.sqlP95)} ms, round trip p50 ${String(d.roundTripP50)} ms, ${String(d.bytes)} B`),
    };
  } finally {
    await handle.close();
    await client.end({ timeout: 5 });
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end({ timeout: 5 });
  }
}
