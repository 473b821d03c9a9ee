/**
 * Property-based bad input through the real path: generated ListCustomImages pages are served by
 * the emulator (its `malformed` fault with a body: HTTP 200 with exactly those bytes) to the real
 * SDK, then runSync. Each case must either be stored faithfully (every typed column, tags and the
 * raw jsonb equal what was sent, modulo the documented NUL / lone-surrogate cleaning; a duplicate
 * keeps its first occurrence and the listing is incomplete) or fail its region with a recorded
 * MalformedResponse and write NOTHING (the write fingerprint of the history tables is unchanged).
 * runSync must never throw. Valid data must never be refused, refused data never stored.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import fc from 'fast-check';
import { and, eq } from 'drizzle-orm';
import type { Account } from '../../src/config/accounts.js';
import { loadConfig, type Config } from '../../src/config/env.js';
import { SwasClients } from '../../src/cloud/swas-client.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import { customImages, customImageTags, regionSyncs } from '../../src/db/schema.js';
import { generateSeed, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { silentLogger } from '../../src/ops/logger.js';
import { SINGLE_ATTEMPT_POLICY } from '../../src/sync/retry-policy.js';
import { runSync } from '../../src/sync/run-sync.js';
import { createTestDatabase } from '../helpers/databases.js';
import { writeFingerprint } from '../helpers/write-probe.js';
import {
  applyMutations, expectedRow, isRefused, refused, tolerated, validItem,
  type ExpectedRow, type Item, type Json, type Mutation,
} from './bad-input-model.js';
import { SummaryRecorder } from './summary.js';

const rec = new SummaryRecorder(import.meta.filename);
const REGION = 'cn-shanghai';
const OTHER = 'cn-beijing';
const PAGE = 4;
const RUNS = Number(process.env.SWAS_BAD_INPUT_RUNS ?? 60);
/** Replays a failure: fast-check prints the seed of a failing run. */
const SEED = process.env.SWAS_BAD_INPUT_SEED === undefined ? {} : { seed: Number(process.env.SWAS_BAD_INPUT_SEED) };

describe('bad input, property-based, through the emulator and the real SDK', () => {
  let emu: EmulatorHandle;
  let h: DatabaseHandle;
  let config: Config;
  let clients: SwasClients;
  let cases = 0;
  const kindsTried = new Set<Mutation['kind']>();

  beforeAll(async () => {
    emu = await startEmulator({ seed: generateSeed({ accounts: 1, regions: [REGION, OTHER], imagesPerRegion: 1 }) });
    h = await createTestDatabase('postgres');
    config = loadConfig({ SWAS_ENDPOINT: emu.url, SWAS_REGIONS: `${REGION},${OTHER}`, SWAS_PAGE_SIZE: String(PAGE), SWAS_LISTING_ATTEMPTS: '1', LOG_LEVEL: 'silent' });
    const key = emu.accounts[0];
    clients = new SwasClients({ config, env: { BI_AK: key?.accessKeyId ?? '', BI_SK: key?.accessKeySecret ?? '' } });
  });
  afterAll(async () => {
    rec.flush();
    await emu?.stop();
    await h?.close();
  });

  /** Serves `items` as the region's pages, syncs a fresh account, and judges the outcome. */
  async function tryCase(items: Json[], mutations: readonly Mutation[]): Promise<void> {
    cases += 1;
    for (const m of mutations) kindsTried.add(m.kind);
    const account: Account = {
      name: `bad-${cases}`, credentials: { type: 'access_key', accessKeyIdEnv: 'BI_AK', accessKeySecretEnv: 'BI_SK' },
      regions: { allow: null, deny: [] }, callsPerSecond: 1000,
    };
    const total = String(items.length);
    const page = (n: number, list: Json[]) => JSON.stringify({ RequestId: `bad-${cases}-${n}`, TotalCount: total, PageSize: String(PAGE), PageNumber: String(n), CustomImages: list });
    const pages: Json[][] = [];
    for (let i = 0; i < items.length; i += PAGE) pages.push(items.slice(i, i + PAGE));
    emu.setFaults([
      ...pages.map((list, i) => ({ kind: 'malformed' as const, body: page(i + 1, list), match: { action: 'ListCustomImages', region: REGION, page: i + 1 } })),
      // Any page past those: empty, with the same TotalCount (never the emulator's own images).
      { kind: 'malformed' as const, body: page(0, []), match: { action: 'ListCustomImages', region: REGION } },
    ]);
    const before = await writeFingerprint(h.db);
    rec.part.badInputs.tried += 1;
    const report = await runSync({ db: h.db, clients, config, accounts: [account], log: silentLogger() }, { regions: [REGION], retry: SINGLE_ATTEMPT_POLICY });
    const region = report.regions.find((r) => r.regionId === REGION);
    const [row] = await h.db.select().from(regionSyncs).where(and(eq(regionSyncs.syncRunId, report.runId), eq(regionSyncs.account, account.name)));
    const what = JSON.stringify(mutations).slice(0, 600);

    if (isRefused(mutations)) {
      expect(region, what).toMatchObject({ status: 'failed', error: { code: 'MalformedResponse' } });
      expect(row, what).toMatchObject({ status: 'failed', errorCode: 'MalformedResponse' });
      expect(row?.errorMessage ?? '', what).toMatch(/malformed data.*Nothing was written/s);
      expect(await writeFingerprint(h.db), `nothing written: ${what}`).toEqual(before);
      rec.part.badInputs.failedCleanly += 1;
      return;
    }

    const firsts = new Map<string, ExpectedRow>();
    for (const item of items) {
      const expected = expectedRow(item as Item);
      if (!firsts.has(expected.imageId)) firsts.set(expected.imageId, expected);
    }
    const duplicated = firsts.size < items.length;
    expect(region?.status, `${what}\n${JSON.stringify(region?.error)}`).toBe(duplicated ? 'incomplete' : 'succeeded');
    expect(row?.status, what).toBe(duplicated ? 'incomplete' : 'succeeded');
    const rows = await h.db.select().from(customImages).where(eq(customImages.account, account.name));
    const tagRows = await h.db.select().from(customImageTags).where(eq(customImageTags.account, account.name));
    expect(rows.map((r) => r.imageId).sort(), what).toEqual([...firsts.keys()].sort());
    for (const r of rows) {
      const tags = tagRows.filter((t) => t.imageId === r.imageId).map((t) => `${t.key}=${t.value}`).sort();
      expect({
        imageId: r.imageId, name: r.name, description: r.description, status: r.status, osType: r.osType,
        creationTime: r.creationTime?.toISOString() ?? null, instanceId: r.instanceId, instanceName: r.instanceName,
        systemSnapshotId: r.systemSnapshotId, systemSnapshotName: r.systemSnapshotName, dataSnapshotId: r.dataSnapshotId,
        dataSnapshotName: r.dataSnapshotName, requiredSystemDiskSize: r.requiredSystemDiskSize, requiredDataDiskSize: r.requiredDataDiskSize,
        sourceImageName: r.sourceImageName, sourceImageVersion: r.sourceImageVersion, resourceGroupId: r.resourceGroupId,
        inShare: r.inShare, inShareUser: r.inShareUser, userId: r.userId?.toString() ?? null, createInstances: r.createInstances,
        tags, raw: r.raw, deletedAt: r.deletedAt,
      }, `stored faithfully: ${r.imageId} of ${what}`).toEqual({ ...firsts.get(r.imageId), deletedAt: null });
    }
    rec.part.badInputs.stored += 1;
  }

  const caseArb = (mutation: fc.Arbitrary<Mutation>) => fc.tuple(
    fc.array(validItem(REGION), { minLength: 1, maxLength: 9 }),
    fc.array(mutation, { minLength: 0, maxLength: 4 }),
  );

  rec.scenario('every mutation kind at least once (fixed cases)', async () => {
    const samples = fc.sample(fc.array(validItem(REGION), { minLength: 5, maxLength: 6 }), { numRuns: 1, seed: 42 })[0] ?? [];
    const base = () => samples.map((make, i) => make(i));
    const fixed: Mutation[] = [
      ...fc.sample(tolerated, { numRuns: 40, seed: 7 }),
      ...fc.sample(refused, { numRuns: 40, seed: 9 }),
    ];
    const byKind = new Map<Mutation['kind'], Mutation>();
    for (const m of fixed) if (!byKind.has(m.kind)) byKind.set(m.kind, m);
    byKind.set('duplicate', { kind: 'duplicate', index: 4, conflicting: true }); // lands on page 2: across pages
    await tryCase(applyMutations(base(), [{ kind: 'duplicate', index: 1, conflicting: false }], OTHER), [{ kind: 'duplicate', index: 1, conflicting: false }]);
    for (const m of byKind.values()) await tryCase(applyMutations(base(), [m], OTHER), [m]);
    expect(byKind.size).toBe(18);
  }, 120_000);

  rec.scenario(`generated responses (${RUNS} tolerated, ${Math.ceil(RUNS / 2)} refused)`, async () => {
    await fc.assert(fc.asyncProperty(caseArb(tolerated), async ([makers, mutations]) => {
      await tryCase(applyMutations(makers.map((make, i) => make(i)), mutations, OTHER), mutations);
    }), { numRuns: RUNS, ...SEED });
    await fc.assert(fc.asyncProperty(caseArb(fc.oneof(tolerated, refused)).filter(([, m]) => isRefused(m)), async ([makers, mutations]) => {
      await tryCase(applyMutations(makers.map((make, i) => make(i)), mutations, OTHER), mutations);
    }), { numRuns: Math.ceil(RUNS / 2), ...SEED });
    expect(kindsTried.size).toBeGreaterThan(10);
  }, 240_000);
});
