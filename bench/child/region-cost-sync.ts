/**
 * Child of the region-cost case: the one-shot `sync` path (runSync) of a given src/ tree, one
 * pass per {type:'pass'} message, reporting this process's CPU for the pass. Its database URL
 * points at the counting proxy; everything else (the backends' CPU, statements) is measured by
 * the parent.
 */
import { benchAccounts } from '../lib/bench-accounts.js';
import { childInput, sendToParent } from '../lib/fork-child.js';
import type { RegionCostChildInput, RegionCostPass } from '../lib/region-cost-run.js';
import { syncModules } from '../lib/src-modules.js';
import { passProfiler } from '../lib/pass-profiler.js';

const input = childInput<RegionCostChildInput>();
const m = await syncModules(input.src);
const config = m.loadConfig({
  SWAS_ENDPOINT: input.emulatorUrl, DATABASE_URL: input.databaseUrl, LOG_LEVEL: 'silent',
  ...(input.regions ? { SWAS_REGIONS: input.regions.join(',') } : {}),
});
const { accounts, env } = benchAccounts(input.keys, 1000);
const clients = new m.SwasClients({ config, env });
const handle = await m.openDatabase({ databaseUrl: input.databaseUrl, maxConnections: input.concurrency + 2 });
const prof = process.env.BENCH_PASS_PROFILE_DIR ? await passProfiler(process.env.BENCH_PASS_PROFILE_DIR, 'sync') : null;
await sendToParent({ type: 'ready' });

process.on('message', (message: { type?: string }) => {
  if (message.type === 'stop') {
    void handle.close().then(() => process.exit(0));
    return;
  }
  if (message.type !== 'pass') return;
  void (async () => {
    await prof?.start();
    const cpu = process.cpuUsage();
    const report = await m.runSync({ db: handle.db, clients, config, accounts, log: m.silentLogger() }, { concurrency: input.concurrency });
    const used = process.cpuUsage(cpu);
    await prof?.stop();
    const pass: RegionCostPass = {
      type: 'pass', cpuMs: (used.user + used.system) / 1000, status: report.summary.status,
      regions: report.regions.length, images: report.regions.reduce((n, r) => n + r.images, 0),
    };
    await sendToParent(pass);
  })();
});
