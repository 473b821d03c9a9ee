/**
 * Child: one worker process (startWorker) with one webhook subscription, syncing an emulator that
 * runs in this same process (so the bench can change images between runs without an admin API).
 * {type:'round', changes:k}: changes k images' status, enqueues a run, waits for it, and replies
 * with the run id; the parent times each event from its region's commit to its arrival.
 * {type:'metrics'}: replies with the worker's Prometheus text (the delivery-latency histogram).
 */
import { loadConfig } from '../../src/config/env.js';
import { generateSeed, startEmulator, type ImageStatus } from '../../src/emulator/index.js';
import { silentLogger } from '../../src/ops/logger.js';
import { enqueueRun, waitForRun } from '../../src/worker/enqueue-run.js';
import { startWorker } from '../../src/worker/start-worker.js';
import { benchAccounts } from '../lib/bench-accounts.js';
import { childInput, sendToParent } from '../lib/fork-child.js';

export interface NotifyWorkerInput {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  regions: string[];
  imagesPerRegion: number;
  subscription: { name: string; url: string; secret: string; concurrency: number; ratePerSecond: number };
}

export type NotifyWorkerMessage =
  | { type: 'ready' }
  | { type: 'round-done'; runId: string; status: string }
  | { type: 'metrics'; text: string }
  | { type: 'error'; message: string };

const input = childInput<NotifyWorkerInput>();
const emu = await startEmulator({ seed: generateSeed({ accounts: 1, regions: input.regions, imagesPerRegion: input.imagesPerRegion, seed: 11 }) });
const { accounts, env } = benchAccounts(emu.accounts.map((k) => ({ ...k })), 1_000);
Object.assign(process.env, env);
const config = loadConfig({
  SWAS_ENDPOINT: emu.url, DATABASE_URL: input.databaseUrl, REDIS_URL: input.redisUrl, QUEUE_PREFIX: input.prefix,
  SWAS_REGIONS: input.regions.join(','), SWAS_CALLS_PER_SECOND: '1000', LOG_LEVEL: 'silent',
});
const sub = input.subscription;
const handle = await startWorker({
  config, accounts, logger: silentLogger(), schedule: false, httpPort: false, tuning: { concurrency: 4 },
  // Production defaults except the pace: the poll stays 5 s, so latency comes from the wake-up.
  subscriptions: [{ ...sub, secretEnv: 'UNUSED', format: 'json', timeoutMs: 10_000, maxAttempts: 10, backoff: { baseMs: 1_000, maxMs: 300_000 } }],
});
await sendToParent({ type: 'ready' } satisfies NotifyWorkerMessage);

let round = 0;
process.on('message', (message: { type?: string; changes?: number }) => {
  void (async () => {
    if (message.type === 'metrics') {
      await sendToParent({ type: 'metrics', text: await handle.metrics.registry.metrics() } satisfies NotifyWorkerMessage);
      return;
    }
    if (message.type !== 'round') return;
    round += 1;
    // Spread over regions: each region job commits its own changes (one commit, k/regions events).
    const images = emu.images().sort((a, b) => (a.imageId < b.imageId ? -1 : 1));
    for (let i = 0; i < (message.changes ?? 0) && i < images.length; i += 1) {
      const img = images[(round * 7 + i * Math.max(1, Math.floor(images.length / (message.changes ?? 1)))) % images.length]!;
      emu.updateImage(img.imageId, { status: String((Number(img.status) + 1) % 5) as ImageStatus });
    }
    const { runId } = await enqueueRun(handle.runsQueue);
    const run = await waitForRun(handle.database.db, runId, { timeoutMs: 120_000, pollMs: 20 });
    await sendToParent({ type: 'round-done', runId, status: run.status } satisfies NotifyWorkerMessage);
  })().catch(async (error: unknown) => {
    await sendToParent({ type: 'error', message: (error as Error).message } satisfies NotifyWorkerMessage);
  });
});

const stop = async (): Promise<void> => {
  await handle.close();
  await emu.stop();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('disconnect', () => void stop());
