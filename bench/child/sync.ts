/**
 * Child: one in-process sync (`runSync`, the CLI's path) against the emulator, in a fresh process
 * so its peak RSS and CPU profile are its own. Reports elapsed time and process.resourceUsage().maxRSS.
 */
import { sql } from 'drizzle-orm';
import { tuneHeapForOneShotSync } from '../../src/cli/sync-heap-tuning.js';
import { loadConfig } from '../../src/config/env.js';
import { SwasClients } from '../../src/cloud/swas-client.js';
import { openDatabase } from '../../src/db/open-database.js';
import { silentLogger } from '../../src/ops/logger.js';
import { runSync } from '../../src/sync/run-sync.js';
import { AccountRateLimiter } from '../../src/worker/account-rate-limit.js';
import { benchAccounts } from '../lib/bench-accounts.js';
import { childInput, sendToParent } from '../lib/fork-child.js';
import type { SyncChildInput, SyncChildResult } from '../lib/sync-child.js';
import { passProfiler } from '../lib/pass-profiler.js';
import { nowMs } from '../lib/timing.js';

const input = childInput<SyncChildInput>();
if (input.syncCommandHeap === true) tuneHeapForOneShotSync();
const config = loadConfig({
  SWAS_ENDPOINT: input.emulatorUrl,
  DATABASE_URL: input.databaseUrl,
  ...(input.regions ? { SWAS_REGIONS: input.regions.join(',') } : {}),
});
const { accounts, env } = benchAccounts(input.keys, input.callsPerSecond ?? 1000);
// Paced as the CLI paces: the same in-memory limiter in beforeCall, and as runSync's budget (a region takes its token before its slot).
const limiter = input.callsPerSecond === undefined ? undefined : AccountRateLimiter.inMemory(() => input.callsPerSecond as number);
const clients = new SwasClients({ config, env, ...(limiter ? { beforeCall: (info) => limiter.acquire(info.account) } : {}) });
const handle = await openDatabase({ databaseUrl: input.databaseUrl, maxConnections: Math.min(20, (input.concurrency ?? 4) + 2) });
await handle.db.execute(sql`select 1`);
const baselineRssBytes = process.memoryUsage().rss;

// BENCH_PASS_PROFILE_DIR: a CPU profile of each run alone (start-up and connecting left out).
const prof = process.env.BENCH_PASS_PROFILE_DIR ? await passProfiler(process.env.BENCH_PASS_PROFILE_DIR, 'sync') : null;
const runs: SyncChildResult['runs'] = [];
for (let i = 0; i < (input.runs ?? 1); i += 1) {
  await prof?.start();
  const startedAt = Date.now();
  const start = nowMs();
  const cpuStart = process.cpuUsage();
  const report = await runSync({ db: handle.db, clients, config, accounts, log: silentLogger(), ...(limiter ? { pauses: limiter, budget: limiter } : {}) }, {
    ...(input.concurrency === undefined ? {} : { concurrency: input.concurrency }),
  });
  const ms = nowMs() - start;
  const used = process.cpuUsage(cpuStart);
  await prof?.stop();
  runs.push({
    startedAt,
    ms,
    cpuMs: (used.user + used.system) / 1000,
    status: report.summary.status,
    images: report.regions.reduce((n, r) => n + r.images, 0),
    regions: report.regions.length,
    failedRegions: report.regions.filter((r) => r.status !== 'succeeded').map((r) => `${r.account}/${r.regionId}: ${r.error?.code ?? r.status}`).slice(0, 5),
  });
}
await handle.close();
// maxRSS is in kilobytes (getrusage's ru_maxrss on Linux).
const result: SyncChildResult = { type: 'result', runs, baselineRssBytes, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
await sendToParent(result);
process.exit(0);
