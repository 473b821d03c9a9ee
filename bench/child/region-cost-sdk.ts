/**
 * Child of the region-cost case: the SAME ListCustomImages calls a pass makes (page 1 of every
 * account x region, PageSize 100, the same concurrency, and one ListRegions per account) through the same SDK client code, and
 * nothing else: no normalizing, no database. Its CPU per call is the denominator of the ratios.
 */
import { benchAccounts } from '../lib/bench-accounts.js';
import { childInput, sendToParent } from '../lib/fork-child.js';
import type { RegionCostChildInput, RegionCostPass } from '../lib/region-cost-run.js';
import { syncModules } from '../lib/src-modules.js';

const input = childInput<RegionCostChildInput & { regionIds: string[] }>();
const m = await syncModules(input.src);
const config = m.loadConfig({ SWAS_ENDPOINT: input.emulatorUrl, LOG_LEVEL: 'silent' });
const { accounts, env } = benchAccounts(input.keys, 1000);
const clients = new m.SwasClients({ config, env });
const endpoint = clients.regionEndpoint('cn-hangzhou', null);
await sendToParent({ type: 'ready' });

process.on('message', (message: { type?: string }) => {
  if (message.type === 'stop') process.exit(0);
  if (message.type !== 'pass') return;
  void (async () => {
    const cpu = process.cpuUsage();
    const work = accounts.flatMap((account) => input.regionIds.map((regionId) => ({ account, regionId })));
    let images = 0;
    // runSync discovers each account's regions first: the same ListRegions calls, one per account.
    await Promise.all(accounts.map((account) => m.listRegions(clients, account, config)));
    const next = async (): Promise<void> => {
      for (let w = work.shift(); w !== undefined; w = work.shift()) {
        const page = await m.listCustomImagesPage(clients, w.account, endpoint, { regionId: w.regionId, pageNumber: 1, pageSize: config.pageSize });
        images += Array.isArray(page.customImages) ? page.customImages.length : 0;
      }
    };
    const total = work.length;
    await Promise.all(Array.from({ length: input.concurrency }, next));
    const used = process.cpuUsage(cpu);
    const pass: RegionCostPass = { type: 'pass', cpuMs: (used.user + used.system) / 1000, status: 'succeeded', regions: total, images };
    await sendToParent(pass);
  })();
});
