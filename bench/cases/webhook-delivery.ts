/**
 * Webhook delivery (issue 13), one worker process with one subscription against a local receiver:
 * - commit-to-delivery latency: rounds of status changes synced by the worker; each event from the
 *   end of its region's transaction (region_syncs.finished_at, written last before the commit) to
 *   its arrival at the receiver: the wake-up after the region job, the scan, the request. The
 *   worker's own swas_webhook_delivery_latency_seconds (observed -> delivered, so it includes the
 *   region's sync) is reported beside it.
 * - throughput: N events committed at once (synthetic listings written by this process), delivered
 *   by the worker at its subscription's concurrency, first to last arrival; the baseline is a bare
 *   loop of the same signed POSTs (sendWebhook, same concurrency, no database) to the same receiver.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import { Webhook } from 'standardwebhooks';
import { DEFAULT_REGIONS } from '../../src/emulator/index.js';
import { applyListing } from '../../src/sync/apply-listing.js';
import { startRun } from '../../src/sync/run-record.js';
import type { ObservedImage, RegionListing } from '../../src/sync/types.js';
import type { NotifyWorkerInput, NotifyWorkerMessage } from '../child/notify-worker.js';
import { createBenchDatabase } from '../lib/bench-database.js';
import { round, type CaseResult } from '../lib/case-result.js';
import { childScript, forkChild } from '../lib/fork-child.js';
import { deletePrefix, redisUrl } from '../lib/worker-processes.js';

export interface WebhookDeliveryOptions {
  regions: number;
  imagesPerRegion: number;
  latencyRounds: number;
  changesPerRound: number;
  throughputEvents: number;
  concurrency: number;
}

const SUBSCRIPTION = 'bench';

interface BenchReceiver {
  url: string;
  /** webhook-id -> first arrival (epoch ms). */
  firstAt: Map<string, number>;
  requests: number;
  unverified: number;
  close(): Promise<void>;
}

async function startReceiver(secret: string): Promise<BenchReceiver> {
  const verifier = new Webhook(secret);
  const r: Omit<BenchReceiver, 'url' | 'close'> = { firstAt: new Map(), requests: 0, unverified: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      r.requests += 1;
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      try { verifier.verify(Buffer.concat(chunks).toString('utf8'), headers); } catch { r.unverified += 1; }
      const id = headers['webhook-id'] ?? '';
      if (!r.firstAt.has(id)) r.firstAt.set(id, at);
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    ...r, get requests() { return r.requests; }, get unverified() { return r.unverified; },
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`webhook-delivery: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function syntheticListing(regionId: string, from: number, count: number): RegionListing {
  const images: ObservedImage[] = Array.from({ length: count }, (_, i) => {
    const imageId = `m-wh${String(from + i).padStart(8, '0')}`;
    return {
      imageId, tags: [], raw: { ImageId: imageId },
      fields: {
        regionId, name: `bench ${from + i}`, description: null, status: 1, osType: 'Linux', creationTime: '2025-01-01T00:00:00.000Z',
        instanceId: null, instanceName: null, systemSnapshotId: null, systemSnapshotName: null, dataSnapshotId: null, dataSnapshotName: null,
        requiredSystemDiskSize: 20, requiredDataDiskSize: null, sourceImageName: null, sourceImageVersion: null, resourceGroupId: null,
        inShare: false, inShareUser: null, userId: '1801858287100001', createInstances: [],
      },
    };
  });
  return { accountName: 'synthetic', regionId, images, imageIds: new Set(images.map((i) => i.imageId)), pages: 1, apiCalls: 1, completeness: { complete: true } };
}

export async function webhookDeliveryCase(opts: WebhookDeliveryOptions): Promise<CaseResult> {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const receiver = await startReceiver(secret);
  const db = await createBenchDatabase();
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  const prefix = `benchwh-${randomBytes(4).toString('hex')}`;
  const regions = DEFAULT_REGIONS.slice(0, opts.regions).map((r) => r.regionId);
  const input: NotifyWorkerInput = {
    databaseUrl: db.url, redisUrl: redisUrl(), prefix, regions, imagesPerRegion: opts.imagesPerRegion,
    subscription: { name: SUBSCRIPTION, url: receiver.url, secret, concurrency: opts.concurrency, ratePerSecond: 10_000 },
  };
  const child = forkChild<NotifyWorkerMessage>(childScript('notify-worker.ts'), input);
  const next = async <T extends NotifyWorkerMessage['type']>(type: T): Promise<Extract<NotifyWorkerMessage, { type: T }>> => {
    const m = await child.next();
    if (m.type === 'error') throw new Error(`notify worker: ${m.message}`);
    if (m.type !== type) throw new Error(`notify worker: expected ${type}, got ${m.type}`);
    return m as Extract<NotifyWorkerMessage, { type: T }>;
  };
  const eventIds = async (runId?: string) => (await (runId === undefined
    ? sql<{ id: string }[]>`select id from swas.image_events`
    : sql<{ id: string }[]>`select id from swas.image_events where sync_run_id = ${runId}`)).map((r) => r.id);
  const delivered = (ids: string[]) => ids.every((id) => receiver.firstAt.has(`swas_${SUBSCRIPTION}_${id}`));
  try {
    await next('ready');
    // Cold run: every image created; its events go out too (not timed: warm-up).
    child.child.send({ type: 'round', changes: 0 });
    const cold = await next('round-done');
    await until('the cold run delivered', async () => delivered(await eventIds(cold.runId)));

    const latencies: number[] = [];
    for (let i = 0; i < opts.latencyRounds; i += 1) {
      child.child.send({ type: 'round', changes: opts.changesPerRound });
      const done = await next('round-done');
      if (done.status !== 'succeeded') throw new Error(`latency round ${i} ended ${done.status}`);
      await until(`round ${i} delivered`, async () => delivered(await eventIds(done.runId)));
      const rows = await sql<{ id: string; committed: Date }[]>`
        select e.id, r.finished_at as committed from swas.image_events e
        join swas.region_syncs r on r.sync_run_id = e.sync_run_id and r.account = e.account and r.region_id = e.region_id
        where e.sync_run_id = ${done.runId}`;
      for (const row of rows) latencies.push((receiver.firstAt.get(`swas_${SUBSCRIPTION}_${row.id}`) ?? NaN) - row.committed.getTime());
    }
    latencies.sort((a, b) => a - b);
    // The worker's histogram now holds the cold run's and the rounds' deliveries only (the burst below waits for a poll).
    child.child.send({ type: 'metrics' });
    const { text } = await next('metrics');

    // Throughput: N events committed at once (10 region transactions), the worker's poll picks them up.
    const before = new Set(await eventIds());
    const runId = randomUUID();
    await startRun(db.handle.db, { id: runId, trigger: 'cli' });
    const per = Math.ceil(opts.throughputEvents / 10);
    for (let g = 0; g < 10; g += 1) {
      await applyListing(db.handle.db, syntheticListing(`bench-${g}`, g * per, Math.min(per, opts.throughputEvents - g * per)), { runId, startedAt: new Date() });
    }
    const burst = (await eventIds()).filter((id) => !before.has(id));
    await until('the burst delivered', () => delivered(burst));
    const arrivals = burst.map((id) => receiver.firstAt.get(`swas_${SUBSCRIPTION}_${id}`) ?? NaN).sort((a, b) => a - b);
    const spanMs = Math.max(1, (arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0));
    const notifierRate = (burst.length - 1) / (spanMs / 1000);

    const loop = forkChild<{ ms: number; failed: number }>(childScript('post-loop.ts'),
      { url: receiver.url, secret, count: burst.length, concurrency: opts.concurrency });
    const bare = await loop.next();
    await loop.exited;
    if (bare.failed > 0) throw new Error(`bare POST loop: ${bare.failed} requests failed`);
    const bareRate = burst.length / (bare.ms / 1000);

    const metric = (name: string) => Number(new RegExp(`^${name}\\{subscription="${SUBSCRIPTION}"\\} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
    const histSum = metric('swas_webhook_delivery_latency_seconds_sum');
    const histCount = metric('swas_webhook_delivery_latency_seconds_count');
    const eventsTotal = (await eventIds()).length;
    const unexpected = [...receiver.firstAt.keys()].filter((id) => id.startsWith(`swas_${SUBSCRIPTION}_`)).length - eventsTotal;

    const p50 = quantile(latencies, 0.5);
    const p99 = quantile(latencies, 0.99);
    return {
      id: 'webhook-delivery',
      title: `Webhook delivery: 1 worker process, concurrency ${opts.concurrency}, ${opts.latencyRounds} rounds x ${opts.changesPerRound} changes over ${opts.regions} regions; burst of ${burst.length} events`,
      figures: [
        { metric: 'commit -> delivered latency p50 (worker wake-up after the region job)', value: round(p50, 0), unit: 'ms' },
        {
          metric: 'commit -> delivered latency p99', value: round(p99, 0), unit: 'ms',
          baseline: { label: 'p50', value: round(p50, 0), unit: 'ms' }, ratio: round(p99 / p50, 2),
        },
        {
          metric: `delivery throughput (${burst.length} events, concurrency ${opts.concurrency})`, value: round(notifierRate, 0), unit: 'events/s',
          baseline: { label: 'bare signed POST loop, same receiver and concurrency, no database', value: round(bareRate, 0), unit: 'req/s' },
          ratio: round(notifierRate / bareRate, 2),
        },
      ],
      details: {
        ...opts, latencySamples: latencies.length, latencyMs: { min: round(latencies[0] ?? NaN, 1), p50: round(p50, 1), p90: round(quantile(latencies, 0.9), 1), p99: round(p99, 1), max: round(latencies.at(-1) ?? NaN, 1) },
        metricObservedToDeliveredMeanMs: round((histSum / histCount) * 1000, 1), metricObservations: histCount,
        burst: { events: burst.length, spanMs: round(spanMs, 0), eventsPerSecond: round(notifierRate, 1) },
        bareLoop: { requests: burst.length, ms: round(bare.ms, 0), requestsPerSecond: round(bareRate, 1) },
        receiver: { requests: receiver.requests, distinctIds: receiver.firstAt.size, unverified: receiver.unverified, unexpectedIds: unexpected, eventsTotal },
      },
      notes: [
        'Latency: from region_syncs.finished_at (written at the end of the region transaction) to the first arrival at the receiver; the notifier is woken by the completed region job (its 5 s poll is only the fallback).',
        `swas_webhook_delivery_latency_seconds (observed -> delivered, includes the region's own sync): mean ${round((histSum / histCount) * 1000, 0)} ms over ${histCount} deliveries.`,
        'Throughput: the worker claims (lease), sends and records each event in the database; the bare loop only signs and POSTs. Receiver, worker and loop share this machine\'s cores.',
      ],
    };
  } finally {
    if (child.child.exitCode === null) child.child.kill('SIGTERM');
    await child.exited;
    await sql.end({ timeout: 5 });
    await db.drop();
    await receiver.close();
    await deletePrefix(prefix);
  }
}
