/**
 * Issue 24's "done when" for the one-shot `sync`: regions of two accounts are in flight at once,
 * and a region waiting for its account's budget holds no slot. Told by events and counts (the
 * budget is the test's own gate, the emulator's call log says which calls overlapped), never by
 * timing.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSeed, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import type { Account } from '../../src/config/accounts.js';
import { loadConfig, type Config } from '../../src/config/env.js';
import { SwasClients } from '../../src/cloud/swas-client.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { silentLogger } from '../../src/ops/logger.js';
import { RegionAdmission, type CallBudget } from '../../src/sync/region-admission.js';
import { RegionSlots } from '../../src/sync/region-slots.js';
import { SINGLE_ATTEMPT_POLICY } from '../../src/sync/retry-policy.js';
import { runSync, type RunRegionResult } from '../../src/sync/run-sync.js';
import { createTestDatabase } from '../helpers/databases.js';

const REGIONS = ['cn-beijing', 'cn-hangzhou', 'cn-shanghai'];

/** A budget the test opens by hand, per account: acquire() waits until its account is open. */
function gatedBudget(): CallBudget & { open(account: string): void; waiting(account: string): Promise<void> } {
  const opened = new Set<string>();
  const blocked = new Map<string, Array<() => void>>();
  const arrivals = new Map<string, Array<() => void>>();
  return {
    async acquire(account) {
      if (opened.has(account)) return;
      for (const tell of arrivals.get(account)?.splice(0) ?? []) tell();
      await new Promise<void>((resolve) => blocked.set(account, [...blocked.get(account) ?? [], resolve]));
    },
    withPaidCall: (_account, fn) => fn(),
    open(account) {
      opened.add(account);
      for (const resolve of blocked.get(account)?.splice(0) ?? []) resolve();
    },
    /** Resolves once a region of `account` waits in acquire(). */
    waiting: (account) => (blocked.get(account)?.length ?? 0) > 0
      ? Promise.resolve()
      : new Promise((resolve) => arrivals.set(account, [...arrivals.get(account) ?? [], resolve])),
  };
}

describe('sync admission: budget first, then a slot', () => {
  let h: DatabaseHandle;
  let emu: EmulatorHandle;
  let config: Config;
  let clients: SwasClients;
  let accounts: Account[];

  beforeAll(async () => {
    h = await createTestDatabase('postgres');
    emu = await startEmulator({ seed: generateSeed({ accounts: 2, regions: REGIONS, imagesPerRegion: 2, seed: 24 }) });
    config = loadConfig({ SWAS_ENDPOINT: emu.url, SWAS_REGIONS: REGIONS.join(',') });
    const env: NodeJS.ProcessEnv = {};
    accounts = emu.accounts.map((key, i) => {
      env[`AD_AK_${i}`] = key.accessKeyId;
      env[`AD_SK_${i}`] = key.accessKeySecret;
      return { name: `acct-${i}`, credentials: { type: 'access_key', accessKeyIdEnv: `AD_AK_${i}`, accessKeySecretEnv: `AD_SK_${i}` }, regions: { allow: null, deny: [] }, callsPerSecond: 5 };
    });
    clients = new SwasClients({ config, env });
  });
  afterAll(async () => { await emu?.stop(); await h?.close(); });

  it('a region waiting for its budget holds no slot: with one slot, the other account finishes meanwhile', async () => {
    const budget = gatedBudget();
    const admission = new RegionAdmission(new RegionSlots(1), budget);
    budget.open('acct-0');
    const done: RunRegionResult[] = [];
    let allOfAcct0!: () => void;
    const acct0Done = new Promise<void>((resolve) => { allOfAcct0 = resolve; });
    const run = runSync({ db: h.db, clients, config, accounts, log: silentLogger(), admission }, {
      retry: SINGLE_ATTEMPT_POLICY,
      progress: {
        planned: () => {},
        regionDone: (r) => {
          done.push(r);
          if (done.filter((d) => d.account === 'acct-0').length === REGIONS.length) allOfAcct0();
        },
      },
    });
    // acct-1's first region waits for its budget; acct-0 gets the one slot for each of its regions.
    await budget.waiting('acct-1');
    await acct0Done;
    const usage = admission.usage();
    expect(usage.accountsWaitingBudget).toEqual(new Set(['acct-1']));
    expect(usage.active).toBe(0); // the waiting region holds nothing
    expect(usage.byOwner.get('acct-1')).toBeUndefined();
    expect(done.every((d) => d.account === 'acct-0' && d.status === 'succeeded')).toBe(true);

    budget.open('acct-1');
    const report = await run;
    expect(report.summary.status).toBe('succeeded');
    expect(report.regions.filter((r) => r.account === 'acct-1' && r.status === 'succeeded')).toHaveLength(REGIONS.length);
    expect(admission.usage()).toMatchObject({ active: 0, waitingSlot: 0, waitingBudget: 0 });
  });

  it('two accounts have regions in flight at once (the emulator saw their calls overlap)', async () => {
    const budget = gatedBudget();
    budget.open('acct-0');
    budget.open('acct-1');
    // Every call takes a while, so the calls that run side by side are plainly so in the log.
    const fault = emu.addFault({ kind: 'latency', ms: 400, match: { action: 'ListCustomImages' } });
    emu.clearCallLog();
    try {
      const report = await runSync({ db: h.db, clients, config, accounts, log: silentLogger(), admission: new RegionAdmission(new RegionSlots(2), budget) },
        { retry: SINGLE_ATTEMPT_POLICY });
      expect(report.summary.status).toBe('succeeded');
    } finally {
      emu.removeFault(fault.id);
    }
    const uidOf = new Map(emu.accounts.map((a, i) => [a.uid, `acct-${i}`]));
    const calls = emu.callLog().filter((c) => c.action === 'ListCustomImages' && c.code === 'OK')
      .map((c) => ({ account: uidOf.get(c.accountUid ?? ''), start: Date.parse(c.time), end: Date.parse(c.time) + c.durationMs }));
    expect(calls).toHaveLength(2 * REGIONS.length);
    // Two slots, two accounts: the first two calls are one of each account, and they overlap.
    const overlapping = calls.flatMap((a) => calls.filter((b) => a.account !== b.account && a.start < b.end && b.start < a.end));
    expect(overlapping.length).toBeGreaterThan(0);
  });

  it('a region\'s write holds no call slot: with one slot, the next region is listed while the first one\'s record waits', async () => {
    // Synced by the tests above: every region of acct-0 is known, so each ends in the unchanged
    // record, which takes the region's advisory lock. Holding those locks from another connection
    // keeps every record waiting; the calls that still go out are what the slot allowed.
    const acct0 = accounts.slice(0, 1);
    await runSync({ db: h.db, clients, config, accounts: acct0, log: silentLogger() }, { retry: SINGLE_ATTEMPT_POLICY });
    // One connection (max 1): the session locks are taken and let go on it.
    const locker = postgres(h.url as string, { max: 1, onnotice: () => {} });
    const admission = new RegionAdmission(new RegionSlots(1), null);
    const ended: RunRegionResult[] = [];
    try {
      for (const regionId of REGIONS) await locker`select pg_advisory_lock(hashtext(${'acct-0'}), hashtext(${regionId}))`;
      emu.clearCallLog();
      const run = runSync({ db: h.db, clients, config, accounts: acct0, log: silentLogger(), admission }, {
        retry: SINGLE_ATTEMPT_POLICY, progress: { planned: () => {}, regionDone: (r) => { ended.push(r); } },
      });
      // One slot, one write permit: the first region writes (waiting on its lock) holding the
      // permit and no slot, so a second region is listed. Had the write kept the slot, the
      // second call would wait for the lock to go.
      const listed = (): number => emu.callLog().filter((c) => c.action === 'ListCustomImages').length;
      const deadline = Date.now() + 20_000;
      while (listed() < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      try {
        expect(listed()).toBe(2);
        expect(ended).toEqual([]); // every record still waits on its lock
        expect(admission.usage()).toMatchObject({ active: 1, writing: 1 });
      } finally {
        await locker`select pg_advisory_unlock_all()`;
      }
      const report = await run;
      expect(report.summary.status).toBe('succeeded');
      expect(report.regions.map((r) => r.status)).toEqual(REGIONS.map(() => 'succeeded'));
      expect(admission.usage()).toMatchObject({ active: 0, waitingSlot: 0, writing: 0 });
    } finally {
      await locker.end();
    }
  });

  it('region discovery keeps to the calls in flight: with one, the accounts\' ListRegions never overlap', async () => {
    // Slow discovery, so calls made side by side would plainly overlap in the log.
    const fault = emu.addFault({ kind: 'latency', ms: 300, match: { action: 'ListRegions' } });
    emu.clearCallLog();
    try {
      const report = await runSync({ db: h.db, clients, config, accounts, log: silentLogger() }, { retry: SINGLE_ATTEMPT_POLICY, concurrency: 1 });
      expect(report.summary.status).toBe('succeeded');
    } finally {
      emu.removeFault(fault.id);
    }
    const discovery = emu.callLog().filter((c) => c.action === 'ListRegions')
      .map((c) => ({ start: Date.parse(c.time), end: Date.parse(c.time) + c.durationMs }));
    expect(discovery).toHaveLength(accounts.length);
    const overlapping = discovery.filter((a, i) => discovery.some((b, j) => i !== j && a.start < b.end && b.start < a.end));
    expect(overlapping).toEqual([]);
  });
});
