/**
 * Child of the region-cost case: one `worker` process (startWorker) of a given src/ tree against a
 * private Redis and the counting proxy. On {type:'run'} it enqueues a run and answers with its
 * id at once; the parent polls sync_runs over its own connection (so the polling is not counted)
 * and then asks for this process's CPU since {type:'cpu-mark'}.
 */
import { benchAccounts } from '../lib/bench-accounts.js';
import { childInput, sendToParent } from '../lib/fork-child.js';
import type { RegionCostChildInput } from '../lib/region-cost-run.js';
import { workerModules } from '../lib/src-modules.js';
import { passProfiler } from '../lib/pass-profiler.js';

const input = childInput<RegionCostChildInput & { redisUrl: string; prefix: string }>();
const m = await workerModules(input.src);
const { accounts, env } = benchAccounts(input.keys, 1000);
Object.assign(process.env, env);
const config = m.loadConfig({
  SWAS_ENDPOINT: input.emulatorUrl, DATABASE_URL: input.databaseUrl, REDIS_URL: input.redisUrl, QUEUE_PREFIX: input.prefix,
  SWAS_CALLS_PER_SECOND: '1000', WORKER_CONCURRENCY: String(input.concurrency), LOG_LEVEL: 'silent',
  ...(input.regions ? { SWAS_REGIONS: input.regions.join(',') } : {}),
});
const handle = await m.startWorker({ config, accounts, logger: m.silentLogger(), schedule: false, httpPort: false, tuning: { concurrency: input.concurrency } });
await sendToParent({ type: 'ready' });

let mark = process.cpuUsage();
const prof = process.env.BENCH_PASS_PROFILE_DIR ? await passProfiler(process.env.BENCH_PASS_PROFILE_DIR, 'worker') : null;
process.on('message', (message: { type?: string }) => {
  if (message.type === 'cpu-mark') { mark = process.cpuUsage(); void prof?.start(); }
  if (message.type === 'cpu-report') {
    void prof?.stop();
    const used = process.cpuUsage(mark);
    void sendToParent({ type: 'cpu', ms: (used.user + used.system) / 1000 });
  }
  if (message.type === 'run') void m.enqueueRun(handle.runsQueue).then(({ runId }) => sendToParent({ type: 'enqueued', runId }));
  if (message.type === 'stop') void handle.close().then(() => process.exit(0));
});
