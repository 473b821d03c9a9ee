/**
 * Child of the region-cost case: the one-shot `sync` path (runSync) of a given src/ tree, one
 * pass per {type:'pass'} message, reporting this process's CPU for the pass. Its database URL
 * points at the counting proxy; everything else (the backends' CPU, statements) is measured by
 * the parent. With BENCH_CPU_PROF_DIR set, every pass but the first (the cold one) is CPU-profiled
 * into that directory (pass-<n>.cpuprofile): where an unchanged region's process CPU goes.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { benchAccounts } from '../lib/bench-accounts.js';
import { childInput, sendToParent } from '../lib/fork-child.js';
import type { RegionCostChildInput, RegionCostPass } from '../lib/region-cost-run.js';
import { syncModules } from '../lib/src-modules.js';

const input = childInput<RegionCostChildInput>();
const m = await syncModules(input.src);
const config = m.loadConfig({
  SWAS_ENDPOINT: input.emulatorUrl, DATABASE_URL: input.databaseUrl, LOG_LEVEL: 'silent',
  ...(input.regions ? { SWAS_REGIONS: input.regions.join(',') } : {}),
});
const { accounts, env } = benchAccounts(input.keys, 1000);
const clients = new m.SwasClients({ config, env });
const handle = await m.openDatabase({ databaseUrl: input.databaseUrl, maxConnections: input.concurrency + 2 });
await sendToParent({ type: 'ready' });
const profileDir = process.env.BENCH_CPU_PROF_DIR;
let passes = 0;

process.on('message', (message: { type?: string }) => {
  if (message.type === 'stop') {
    void handle.close().then(() => process.exit(0));
    return;
  }
  if (message.type !== 'pass') return;
  passes += 1;
  void (async () => {
    const profiling = profileDir !== undefined && passes > 1 ? new Session() : null;
    if (profiling) {
      profiling.connect();
      await profiling.post('Profiler.enable');
      await profiling.post('Profiler.setSamplingInterval', { interval: 100 });
      await profiling.post('Profiler.start');
    }
    const cpu = process.cpuUsage();
    const report = await m.runSync({ db: handle.db, clients, config, accounts, log: m.silentLogger() }, { concurrency: input.concurrency });
    const used = process.cpuUsage(cpu);
    if (profiling) {
      const { profile } = await profiling.post('Profiler.stop');
      await writeFile(`${profileDir}/pass-${passes}.cpuprofile`, JSON.stringify(profile));
      profiling.disconnect();
    }
    const pass: RegionCostPass = {
      type: 'pass', cpuMs: (used.user + used.system) / 1000, status: report.summary.status,
      regions: report.regions.length, images: report.regions.reduce((n, r) => n + r.images, 0),
    };
    await sendToParent(pass);
  })();
});
