/**
 * RAM denials through the whole sync (real SDK, real emulator permissions, real Postgres): a key
 * lacking one region fails exactly that region, a key lacking the action fails exactly that
 * account; each failure is permanent, recorded with the action and principal type in its message,
 * and every other region and account commits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Account } from '../../src/config/accounts.js';
import { loadConfig } from '../../src/config/env.js';
import { SwasClients } from '../../src/cloud/swas-client.js';
import { customImages, regionSyncs } from '../../src/db/schema.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { generateSeed, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { silentLogger } from '../../src/ops/logger.js';
import { runSync } from '../../src/sync/run-sync.js';
import { createTestDatabase } from '../helpers/databases.js';

const REGIONS = ['cn-beijing', 'cn-hangzhou', 'cn-shanghai'];

let emu: EmulatorHandle;
let h: DatabaseHandle;
beforeAll(async () => {
  emu = await startEmulator({ seed: generateSeed({ accounts: 2, regions: REGIONS, imagesPerRegion: 3, seed: 9, keyLacksRegions: { account: 0, regions: ['cn-beijing'] } }) });
  // The second account's key is a RAM user with no policy at all.
  emu.updateKey(emu.accounts[1]!.accessKeyId, { permissions: { displayName: 'no-policy-user', deniedCode: 'NoPermission', statements: [] } });
  h = await createTestDatabase('postgres');
});
afterAll(async () => {
  await emu?.stop();
  await h?.close();
});

function account(name: string, index: number): Account {
  return { name, credentials: { type: 'access_key', accessKeyIdEnv: `PD_AK_${index}`, accessKeySecretEnv: `PD_SK_${index}` }, regions: { allow: null, deny: [] }, callsPerSecond: 100 };
}

describe('RAM denials in the sync', () => {
  it('fail exactly the denied region and the denied account, permanently and with an actionable message; everything else commits', async () => {
    const config = loadConfig({ SWAS_ENDPOINT: emu.url, SWAS_REGIONS: REGIONS.join(','), LOG_LEVEL: 'silent' });
    const env = Object.fromEntries(emu.accounts.flatMap((k, i) => [[`PD_AK_${i}`, k.accessKeyId], [`PD_SK_${i}`, k.accessKeySecret]]));
    const clients = new SwasClients({ config, env });
    const accounts = [account('lacks-beijing', 0), account('no-policy', 1)];
    const report = await runSync({ db: h.db, clients, config, accounts, log: silentLogger() });

    expect(report.summary.status).toBe('partial');
    const outcome = report.regions.map((r) => [r.account, r.regionId, r.status, r.error?.code ?? null]).sort();
    expect(outcome).toEqual([
      ['lacks-beijing', 'cn-beijing', 'failed', 'Forbidden.RAM'],
      ['lacks-beijing', 'cn-hangzhou', 'succeeded', null],
      ['lacks-beijing', 'cn-shanghai', 'succeeded', null],
      ['no-policy', 'cn-beijing', 'failed', 'NoPermission'],
      ['no-policy', 'cn-hangzhou', 'failed', 'NoPermission'],
      ['no-policy', 'cn-shanghai', 'failed', 'NoPermission'],
    ]);
    const beijing = report.regions.find((r) => r.account === 'lacks-beijing' && r.regionId === 'cn-beijing')!;
    expect(beijing.apiCalls, 'one call: a denial is not retried').toBe(1);
    expect(beijing.error?.message).toMatch(/RAM denied swas-open:ListCustomImages to SubUser "swas-inventory-user" of account \d{16}; no policy allows it \(ImplicitDeny\)/);
    const noPolicy = report.regions.find((r) => r.account === 'no-policy')!;
    expect(noPolicy.error?.message).toContain('You are not authorized to do this action.');
    expect(noPolicy.error?.message).toContain('RAM denied swas-open:ListCustomImages to SubUser "no-policy-user"');

    const [row] = await h.db.select().from(regionSyncs)
      .where(and(eq(regionSyncs.syncRunId, report.runId), eq(regionSyncs.account, 'lacks-beijing'), eq(regionSyncs.regionId, 'cn-beijing')));
    expect(row).toMatchObject({ status: 'failed', errorCode: 'Forbidden.RAM' });
    expect(row?.errorMessage).toContain('SubUser');
    // The committed regions hold exactly the first account's images there; nothing of the rest.
    const stored = await h.db.select({ account: customImages.account, regionId: customImages.regionId }).from(customImages);
    expect(stored.map((s) => `${s.account}/${s.regionId}`).sort()).toEqual([
      ...Array(3).fill('lacks-beijing/cn-hangzhou'), ...Array(3).fill('lacks-beijing/cn-shanghai'),
    ]);
  });
});
