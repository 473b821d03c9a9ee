/**
 * One in-process fault world: an emulator (through the real SDK), the account whose key the
 * environment names (as in production), a database of the test's own, short client timeouts and
 * small pages so one region spans several pages with tens of images.
 */
import type { Account } from '../../src/config/accounts.js';
import { loadConfig, type Config } from '../../src/config/env.js';
import { SwasClients } from '../../src/cloud/swas-client.js';
import type { Db } from '../../src/db/database.js';
import { generateSeed, startEmulator, type EmulatorHandle, type ImageFieldsInput, type ImageStatus, type StartEmulatorOptions } from '../../src/emulator/index.js';
import { silentLogger } from '../../src/ops/logger.js';
import { SINGLE_ATTEMPT_POLICY } from '../../src/sync/retry-policy.js';
import { runSync, type RunSyncReport } from '../../src/sync/run-sync.js';
import type { AccountView } from './truth.js';

export const REGIONS = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'] as const;
/** The region over one page: PAGE_SIZE 10, BIG_EXTRA more images than the others. */
export const BIG = 'cn-hangzhou';
export const PAGE_SIZE = 10;
export const BIG_EXTRA = 18;
/** Short enough that a hang costs little, long enough for a loaded CI machine's normal answers. */
export const READ_TIMEOUT_MS = 1_500;

export interface FaultWorld {
  emu: EmulatorHandle;
  config: Config;
  clients: SwasClients;
  account: Account;
  view: AccountView;
  /** Every sync through runSync, as the CLI does: one pass, failures recorded, never thrown. */
  sync(db: Db, regions?: string[]): Promise<RunSyncReport>;
}

export async function startFaultWorld(options: { seed?: number; emulator?: Omit<StartEmulatorOptions, 'seed'>; env?: Record<string, string> } = {}): Promise<FaultWorld> {
  const emu = await startEmulator({
    seed: generateSeed({ accounts: 1, regions: [...REGIONS], imagesPerRegion: 6, seed: options.seed ?? 5 }),
    ...options.emulator,
  });
  const key = emu.accounts[0];
  if (key === undefined) throw new Error('the emulator has no account');
  for (let i = 0; i < BIG_EXTRA; i += 1) {
    emu.createImage({
      ownerUid: key.uid, regionId: BIG, name: i % 3 === 0 ? `生产镜像 №${i} 🚀` : `bulk-${i}`, status: String(i % 5) as ImageStatus,
      tags: [{ key: 'env', value: i % 2 === 0 ? 'prod' : 'dev' }], creationTime: `2025-0${1 + (i % 9)}-1${i % 10}T0${i % 10}:00:00Z`,
    });
  }
  const config = loadConfig({
    SWAS_ENDPOINT: emu.url, SWAS_REGIONS: REGIONS.join(','), SWAS_PAGE_SIZE: String(PAGE_SIZE),
    SWAS_READ_TIMEOUT_MS: String(READ_TIMEOUT_MS), SWAS_CONNECT_TIMEOUT_MS: '1000', SWAS_LISTING_ATTEMPTS: '3', LOG_LEVEL: 'silent',
  });
  const clients = new SwasClients({ config, env: { FW_AK: key.accessKeyId, FW_SK: key.accessKeySecret, ...options.env } });
  const account: Account = {
    name: 'fault-acct', credentials: { type: 'access_key', accessKeyIdEnv: 'FW_AK', accessKeySecretEnv: 'FW_SK' },
    regions: { allow: null, deny: [] }, callsPerSecond: 1000,
  };
  return {
    emu, config, clients, account,
    view: { name: account.name, uid: key.uid, regions: REGIONS },
    // One attempt: every fault must show up as a failed region (the retry policy has its own tests).
    sync: (db, regions = []) => runSync({ db, clients, config, accounts: [account], log: silentLogger() }, { regions, retry: SINGLE_ATTEMPT_POLICY }),
  };
}

/**
 * A round of real changes in the emulator, touching every region: a status transition, a rename,
 * a tag change, a deletion and a new image per region, and a restore when `restore` is given.
 * Returns the ids deleted, so a later round can bring one back.
 */
export function mutate(emu: EmulatorHandle, uid: string, round: number, restore: ImageFieldsInput[] = [], regions: readonly string[] = REGIONS): ImageFieldsInput[] {
  const gone: ImageFieldsInput[] = [];
  for (const regionId of regions) {
    const mine = emu.images({ accountUid: uid, regionId }).filter((i) => i.ownerUid === uid).sort((a, b) => (a.imageId < b.imageId ? -1 : 1));
    const [a, b, c, d] = mine;
    if (a) emu.updateImage(a.imageId, { status: String((Number(a.status) + 1) % 5) as ImageStatus });
    if (b) emu.updateImage(b.imageId, { name: `renamed r${round} 名前 ${b.name.slice(0, 8)}` });
    if (c) emu.updateImage(c.imageId, { tags: [...c.tags.filter((t) => t.key !== 'round'), { key: 'round', value: String(round) }] });
    if (d) {
      const { imageId, ownerUid, regionId: r, name, description, status, tags, creationTime } = emu.deleteImage(d.imageId);
      gone.push({ imageId, ownerUid, regionId: r, name, description, status, tags, creationTime });
    }
    emu.createImage({ ownerUid: uid, regionId, name: `new r${round} ${regionId}`, status: '4', tags: [{ key: 'round', value: String(round) }] });
  }
  for (const image of restore) emu.createImage(image);
  return gone;
}
