/**
 * Child: one worker process (startWorker from src/worker) against the emulator, Redis under the
 * case's own prefix, and the case's database. On {type:'run'} it enqueues a run and reports the
 * wall time until sync_runs says it finished (polled every 20 ms).
 */
import { loadConfig } from '../../src/config/env.js';
import { silentLogger } from '../../src/ops/logger.js';
import { benchAccounts } from '../lib/bench-accounts.js';
import { childInput, sendToParent } from '../lib/fork-child.js';
import { nowMs } from '../lib/timing.js';
import type { WorkerChildInput, WorkerChildMessage } from '../lib/worker-processes.js';
import { loadWorkerModule } from '../lib/worker-module.js';

const input = childInput<WorkerChildInput>();
const loaded = await loadWorkerModule();
if ('missing' in loaded) {
  await sendToParent({ type: 'unavailable', reason: loaded.missing } satisfies WorkerChildMessage);
  process.exit(0);
}
const worker = loaded.module;
const { accounts, env } = benchAccounts(input.keys, input.callsPerSecond);
Object.assign(process.env, env);
const config = loadConfig({
  SWAS_ENDPOINT: input.emulatorUrl,
  DATABASE_URL: input.databaseUrl,
  REDIS_URL: input.redisUrl,
  QUEUE_PREFIX: input.prefix,
  SWAS_CALLS_PER_SECOND: String(input.callsPerSecond),
  WORKER_CONCURRENCY: String(input.concurrency),
  LOG_LEVEL: 'silent',
  ...(input.regions ? { SWAS_REGIONS: input.regions.join(',') } : {}),
});
const handle = await worker.startWorker({
  config, accounts, logger: silentLogger(), schedule: false, httpPort: false, tuning: { concurrency: input.concurrency },
});
await sendToParent({ type: 'ready' } satisfies WorkerChildMessage);

// CPU used by this process between 'cpu-mark' and 'cpu-report': what one run costs it.
let cpuMark = process.cpuUsage();
process.on('message', (message: { type?: string }) => {
  if (message.type === 'cpu-mark') cpuMark = process.cpuUsage();
  if (message.type === 'cpu-report') {
    const used = process.cpuUsage(cpuMark);
    void sendToParent({ type: 'cpu', ms: (used.user + used.system) / 1000, maxRssBytes: process.resourceUsage().maxRSS * 1024 } satisfies WorkerChildMessage);
  }
  if (message.type !== 'run') return;
  void (async () => {
    const startedAt = Date.now();
    const start = nowMs();
    const { runId } = await worker.enqueueRun(handle.runsQueue);
    const run = await worker.waitForRun(handle.database.db, runId, { timeoutMs: 900_000, pollMs: 20 });
    await sendToParent({ type: 'run-result', startedAt, ms: nowMs() - start, runId, run } satisfies WorkerChildMessage);
  })().catch(async (error: unknown) => {
    await sendToParent({ type: 'run-error', message: (error as Error).message } satisfies WorkerChildMessage);
  });
});

const stop = async (): Promise<void> => {
  await handle.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('disconnect', () => void stop());
