/**
 * The cloud layer and the listing pipeline through the real SDK (signing, HTTP, error mapping)
 * against the emulator. No database, no queue: what a region listing returns, or throws.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateSeed, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { classifyError } from '../../src/sync/classify-error.js';
import { listRegions, type RegionTarget } from '../../src/cloud/list-regions.js';
import { SwasClients, type ApiCallInfo } from '../../src/cloud/swas-client.js';
import type { Account } from '../../src/config/accounts.js';
import { loadConfig, type Config } from '../../src/config/env.js';
import { listRegion } from '../../src/sync/list-region.js';

const BIG = 'cn-hangzhou';
const SMALL = 'cn-shanghai';

let emulator: EmulatorHandle;
let config: Config;
let account: Account;
let clients: SwasClients;
const calls: ApiCallInfo[] = [];

beforeAll(async () => {
  const seed = generateSeed({ regions: [BIG], imagesPerRegion: 250, seed: 7 });
  const uid = seed.accounts[0]?.uid ?? '';
  seed.images = [...(seed.images ?? []), { ownerUid: uid, regionId: SMALL, name: '上海镜像 🚀', tags: [{ key: '环境', value: '生产' }, { key: 'a', value: '1' }] }];
  emulator = await startEmulator({ seed });
  config = loadConfig({ SWAS_ENDPOINT: emulator.url, SWAS_REGIONS: `${BIG},${SMALL},us-west-1`, SWAS_LISTING_ATTEMPTS: '3' });
  account = { name: 'emu', credentials: { type: 'access_key', accessKeyIdEnv: 'EMU_AK_ID', accessKeySecretEnv: 'EMU_AK_SECRET' }, regions: { allow: null, deny: ['us-west-1'] }, callsPerSecond: 100 };
  clients = new SwasClients({
    config,
    env: { EMU_AK_ID: emulator.accounts[0]?.accessKeyId, EMU_AK_SECRET: emulator.accounts[0]?.accessKeySecret },
    beforeCall: (info) => { calls.push(info); },
  });
});

// Drift faults change the emulator's inventory: every test starts from the seed again.
afterEach(() => {
  emulator.reset();
  calls.length = 0;
});

afterAll(async () => {
  await emulator?.stop();
});

function target(regionId: string): RegionTarget {
  return { regionId, endpoint: clients.regionEndpoint(regionId, null) };
}

describe('listRegions through the SDK', () => {
  it('discovers regions with ListRegions, filtered by SWAS_REGIONS and the account deny list', async () => {
    const regions = await listRegions(clients, account, config);
    expect(regions.map((r) => r.regionId)).toEqual([BIG, SMALL]);
  });

  it('routes every call, ListRegions included, to SWAS_ENDPOINT', async () => {
    const before = emulator.callLog().length;
    const regions = await listRegions(clients, account, config);
    for (const r of regions) expect(r.endpoint).toEqual({ protocol: 'http', host: emulator.endpoint });
    await listRegion(clients, account, target(SMALL), config);
    const log = emulator.callLog().slice(before);
    expect(log.map((c) => [c.action, c.status])).toEqual([['ListRegions', 200], ['ListCustomImages', 200]]);
    expect(calls.map((c) => c.action)).toEqual(['ListRegions', 'ListCustomImages']);
  });

  it('without a region filter returns the whole catalogue', async () => {
    const all = await listRegions(clients, account, { regions: null });
    expect(all.length).toBeGreaterThanOrEqual(20);
    expect(all.map((r) => r.regionId)).not.toContain('us-west-1');
  });
});

describe('listRegion through the SDK', () => {
  it('lists 250 images over 3 pages, every field as the emulator holds it', async () => {
    const counter = { apiCalls: 0 };
    const listing = await listRegion(clients, account, target(BIG), config, { counter });
    expect(listing).toMatchObject({ accountName: 'emu', regionId: BIG, completeness: { complete: true }, pages: 3, apiCalls: 3 });
    expect(counter.apiCalls).toBe(3);
    expect(listing.images).toHaveLength(250);

    const stored = new Map(emulator.images({ regionId: BIG }).map((i) => [i.imageId, i]));
    expect(new Set(listing.images.map((i) => i.imageId))).toEqual(new Set(stored.keys()));
    for (const image of listing.images) {
      const s = stored.get(image.imageId);
      if (s === undefined) throw new Error(`unexpected image ${image.imageId}`);
      expect(image.fields).toEqual({
        regionId: BIG,
        name: s.name,
        description: s.description,
        status: Number(s.status),
        osType: s.osType,
        creationTime: new Date(s.creationTime).toISOString(),
        instanceId: s.instanceId,
        instanceName: s.instanceName,
        systemSnapshotId: s.systemSnapshotId,
        systemSnapshotName: s.systemSnapshotName,
        dataSnapshotId: s.dataSnapshotId,
        dataSnapshotName: s.dataSnapshotName,
        requiredSystemDiskSize: s.requiredSystemDiskSize,
        requiredDataDiskSize: s.requiredDataDiskSize,
        sourceImageName: s.sourceImageName,
        sourceImageVersion: s.sourceImageVersion,
        resourceGroupId: s.resourceGroupId,
        inShare: s.inShare,
        inShareUser: s.sharedWith.length > 0,
        userId: s.ownerUid,
        createInstances: s.createInstances,
      });
      expect(image.tags).toEqual([...s.tags].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.value < b.value ? -1 : 1)));
      expect(image.raw.ImageId).toBe(s.imageId);
      expect(image.raw.Status).toBe(s.status);
    }
  });

  it('keeps Chinese text, emoji and sorted tags from the wire', async () => {
    const listing = await listRegion(clients, account, target(SMALL), config);
    expect(listing.images).toHaveLength(1);
    expect(listing.images[0]?.fields.name).toBe('上海镜像 🚀');
    expect(listing.images[0]?.tags).toEqual([{ key: 'a', value: '1' }, { key: '环境', value: '生产' }]);
  });

  it('throws when page 2 fails with 500: no partial listing', async () => {
    emulator.addFault({ kind: 'error', code: 'InternalError', status: 500, match: { region: BIG, page: 2 } });
    const counter = { apiCalls: 0 };
    const failure = await listRegion(clients, account, target(BIG), config, { counter }).then(() => null, (err: unknown) => err);
    expect(failure).not.toBeNull();
    expect(classifyError(failure)).toMatchObject({ kind: 'transient', code: 'InternalError', statusCode: 500 });
    expect(counter.apiCalls).toBe(3);
  });

  it('re-lists after a one-off page drift and returns the settled, complete listing', async () => {
    emulator.addFault({ kind: 'pageDrift', afterPage: 1, mode: 'remove', match: { region: BIG } });
    const listing = await listRegion(clients, account, target(BIG), config);
    expect(listing.completeness).toEqual({ complete: true });
    expect(listing.images).toHaveLength(249);
    expect(listing.apiCalls).toBe(6);
  });

  it('marks a listing that keeps drifting incomplete after SWAS_LISTING_ATTEMPTS listings', async () => {
    emulator.addFault({ kind: 'pageDrift', afterPage: 1, mode: 'insert', count: 100, match: { region: BIG } });
    const listing = await listRegion(clients, account, target(BIG), config);
    expect(listing.completeness).toMatchObject({ complete: false });
    expect(!listing.completeness.complete && listing.completeness.reason).toMatch(/TotalCount changed between pages[\s\S]*after 3 listings/);
    expect(listing.apiCalls).toBe(9);
    expect(listing.images.length).toBeGreaterThanOrEqual(250);
  });

  it('surfaces throttling as a classified throttled error with retryAfterMs', async () => {
    emulator.addFault({ kind: 'throttle', code: 'Throttling.User', retryAfterMs: 1500, match: { region: SMALL } });
    const failure = await listRegion(clients, account, target(SMALL), config).then(() => null, (err: unknown) => err);
    expect(classifyError(failure)).toMatchObject({ kind: 'throttled', code: 'Throttling.User', retryAfterMs: 1500 });
    // One attempt only: the SDK must not retry on its own.
    expect(emulator.callLog().filter((c) => c.region === SMALL && c.code === 'Throttling.User')).toHaveLength(1);
  });

  it('fails the region with a permanent MalformedResponse when an item lacks ImageId', async () => {
    emulator.addFault({ kind: 'badItem', mode: 'missingImageId', index: 3, match: { region: BIG, page: 2 } });
    const failure = await listRegion(clients, account, target(BIG), config).then(() => null, (err: unknown) => err);
    expect(classifyError(failure)).toMatchObject({ kind: 'permanent', code: 'MalformedResponse' });
  });

  it('accepts the oddly typed but valid shapes the API is known to send', async () => {
    emulator.addFault({ kind: 'oddTypes', match: { region: BIG } });
    const listing = await listRegion(clients, account, target(BIG), config);
    expect(listing.completeness).toEqual({ complete: true });
    expect(listing.images).toHaveLength(emulator.images({ regionId: BIG }).length);
  });

  it.each([
    [{ kind: 'hang' as const, ms: 3_000 }, 'transient'],
    [{ kind: 'reset' as const }, 'transient'],
    [{ kind: 'truncate' as const }, 'transient'],
    [{ kind: 'malformed' as const }, 'permanent'],
  ])('classifies the transport fault %j as %s', async (fault, kind) => {
    const fast = new SwasClients({ config: { ...config, readTimeoutMs: 300 }, env: { EMU_AK_ID: emulator.accounts[0]?.accessKeyId, EMU_AK_SECRET: emulator.accounts[0]?.accessKeySecret } });
    emulator.addFault({ ...fault, match: { region: SMALL } });
    const failure = await listRegion(fast, account, target(SMALL), config).then(() => null, (err: unknown) => err);
    expect(failure).not.toBeNull();
    expect(classifyError(failure).kind).toBe(kind);
  });

  it('classifies a refused connection as transient', async () => {
    const closed = new SwasClients({ config: { ...config, endpoint: { protocol: 'http', host: '127.0.0.1:1' } }, env: { EMU_AK_ID: 'x', EMU_AK_SECRET: 'y' } });
    const failure = await listRegion(closed, account, { regionId: SMALL, endpoint: closed.regionEndpoint(SMALL, null) }, config).then(() => null, (err: unknown) => err);
    expect(classifyError(failure)).toMatchObject({ kind: 'transient', code: 'ECONNREFUSED' });
  });

  it('signs with the default credentials chain (ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET)', async () => {
    vi.stubEnv('ALIBABA_CLOUD_ACCESS_KEY_ID', emulator.accounts[0]?.accessKeyId ?? '');
    vi.stubEnv('ALIBABA_CLOUD_ACCESS_KEY_SECRET', emulator.accounts[0]?.accessKeySecret ?? '');
    try {
      const chain = new SwasClients({ config });
      const defaultAccount: Account = { name: 'default', credentials: { type: 'env' }, regions: { allow: null, deny: [] }, callsPerSecond: 5 };
      const listing = await listRegion(chain, defaultAccount, target(SMALL), config);
      expect(listing.images).toHaveLength(1);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('reports a wrong secret as a permanent error', async () => {
    const wrong = new SwasClients({ config, env: { EMU_AK_ID: emulator.accounts[0]?.accessKeyId, EMU_AK_SECRET: 'not-the-secret' } });
    const failure = await listRegion(wrong, account, target(SMALL), config).then(() => null, (err: unknown) => err);
    const classified = classifyError(failure);
    expect(classified.kind).toBe('permanent');
    expect(classified.message).not.toContain('not-the-secret');
  });
});
