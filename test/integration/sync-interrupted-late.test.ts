/**
 * A signal that arrives after every region committed (issue 22 #17): the run is `succeeded`, as
 * its regions are, not `failed` ("stopped before every region finished") beside region rows that
 * all say `succeeded`. The abort is sent from the progress listener as the last region reports,
 * which is after its commit and before the run is closed: the window a late Ctrl-C falls into.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { generateSeed, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import type { Account } from '../../src/config/accounts.js';
import { loadConfig, type Config } from '../../src/config/env.js';
import { SwasClients } from '../../src/cloud/swas-client.js';
import { regionSyncs, syncRuns } from '../../src/db/schema.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { silentLogger } from '../../src/ops/logger.js';
import { SINGLE_ATTEMPT_POLICY } from '../../src/sync/retry-policy.js';
import { runSync } from '../../src/sync/run-sync.js';
import { createTestDatabase } from '../helpers/databases.js';

const REGIONS = ['cn-beijing', 'cn-hangzhou', 'cn-shanghai'];

describe('a signal after every region committed', () => {
  let h: DatabaseHandle;
  let emu: EmulatorHandle;
  let config: Config;
  let clients: SwasClients;
  let account: Account;

  beforeAll(async () => {
    h = await createTestDatabase('postgres');
    emu = await startEmulator({ seed: generateSeed({ accounts: 1, regions: REGIONS, imagesPerRegion: 3, seed: 3 }) });
    config = loadConfig({ SWAS_ENDPOINT: emu.url, SWAS_REGIONS: REGIONS.join(',') });
    const key = emu.accounts[0]!;
    clients = new SwasClients({ config, env: { T_AK: key.accessKeyId, T_SK: key.accessKeySecret } });
    account = { name: 'default', credentials: { type: 'access_key', accessKeyIdEnv: 'T_AK', accessKeySecretEnv: 'T_SK' }, regions: { allow: null, deny: [] }, callsPerSecond: 100 };
  });
  afterAll(async () => { await emu?.stop(); await h?.close(); });

  it('leaves the run succeeded, not interrupted', async () => {
    const interrupt = new AbortController();
    let total = 0, done = 0;
    const report = await runSync({ db: h.db, clients, config, accounts: [account], log: silentLogger() }, {
      retry: SINGLE_ATTEMPT_POLICY,
      signal: interrupt.signal,
      progress: {
        planned: (n) => { total = n; },
        regionDone: () => { if (++done === total) interrupt.abort('SIGINT'); },
      },
    });
    expect(interrupt.signal.aborted).toBe(true);
    const rows = await h.db.select().from(regionSyncs).where(eq(regionSyncs.syncRunId, report.runId));
    expect(rows.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const [run] = await h.db.select().from(syncRuns).where(eq(syncRuns.id, report.runId));
    expect({ status: run?.status, error: run?.error }).toEqual({ status: 'succeeded', error: null });
    expect({ status: report.summary.status, interrupted: report.interrupted }).toEqual({ status: 'succeeded', interrupted: false });
  });
});
