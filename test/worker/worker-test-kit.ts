/**
 * Shared setup of the worker tests: an emulator with N accounts, the matching accounts (keys in
 * env vars the accounts name, as in production), a Config for one test's own queue prefix and
 * database, and cleanup of that prefix only (other tests share this Redis).
 */
import { eq, sql } from 'drizzle-orm';
import type { Account } from '../../src/config/accounts.js';
import { loadConfig, type Config } from '../../src/config/env.js';
import { queryRows, type Db } from '../../src/db/database.js';
import { syncRuns } from '../../src/db/schema.js';
import { generateSeed, startEmulator, type EmulatorHandle, type FaultRuleInput } from '../../src/emulator/index.js';
import { silentLogger } from '../../src/ops/logger.js';
import { startWorker, type StartWorkerOptions, type WorkerHandle } from '../../src/worker/start-worker.js';
import { deletePrefix, testRedisUrl } from '../helpers/redis.js';

export { waitFor } from '../helpers/wait.js';
export { deletePrefix };

export interface World {
  emu: EmulatorHandle;
  accounts: Account[];
  /** AccessKey variables the accounts name. */
  env: Record<string, string>;
  regions: string[];
  /** Account name -> emulator uid. */
  uidOf: Map<string, string>;
}

export async function startWorld(opts: { accounts: number; regions: string[]; imagesPerRegion: number; faults?: FaultRuleInput[]; callsPerSecond?: number }): Promise<World> {
  const emu = await startEmulator({
    seed: generateSeed({ accounts: opts.accounts, regions: opts.regions, imagesPerRegion: opts.imagesPerRegion, seed: 7 }),
    ...(opts.faults !== undefined ? { faults: opts.faults } : {}),
  });
  const env: Record<string, string> = {};
  const uidOf = new Map<string, string>();
  const accounts: Account[] = emu.accounts.map((key, i) => {
    env[`WT_AK_${i}`] = key.accessKeyId;
    env[`WT_SK_${i}`] = key.accessKeySecret;
    uidOf.set(`acct${i}`, key.uid);
    return {
      name: `acct${i}`,
      credentials: { type: 'access_key', accessKeyIdEnv: `WT_AK_${i}`, accessKeySecretEnv: `WT_SK_${i}` },
      regions: { allow: null, deny: [] },
      callsPerSecond: opts.callsPerSecond ?? 50,
    };
  });
  return { emu, accounts, env, regions: opts.regions, uidOf };
}

export function workerConfig(world: World, databaseUrl: string, prefix: string, extra: Record<string, string> = {}): Config {
  return loadConfig({
    DATABASE_URL: databaseUrl,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: prefix,
    SWAS_ENDPOINT: world.emu.url,
    SWAS_REGIONS: world.regions.join(','),
    LOG_LEVEL: 'silent',
    ...extra,
  });
}

/** Starts an in-process worker with test timings; no schedule and no HTTP server unless asked. */
export function startTestWorker(world: World, config: Config, options: Partial<StartWorkerOptions> = {}): Promise<WorkerHandle> {
  return startWorker({
    config,
    accounts: world.accounts,
    env: world.env,
    logger: silentLogger(),
    schedule: false,
    httpPort: false,
    ...options,
    tuning: { lockDurationMs: 5_000, stalledIntervalMs: 2_000, shutdownTimeoutMs: 10_000, regionCacheTtlMs: 60_000,
      regionJobOptions: { backoff: { type: 'exponential', delay: 200, jitter: 0.5 } }, ...options.tuning },
  });
}

/** After each test on a shared world: its Redis keys and database go, the emulator forgets its faults and calls. */
export async function resetAfterTest(world: World, prefix: string, db: { close(): Promise<void> } | undefined): Promise<void> {
  await deletePrefix(prefix);
  await db?.close();
  world.emu.clearFaults();
  world.emu.clearCallLog();
}

export async function runRow(db: Db, runId: string) {
  const [row] = await db.select().from(syncRuns).where(eq(syncRuns.id, runId));
  return row;
}

/** image_events per kind across the whole database. */
export async function eventCounts(db: Db): Promise<Record<string, number>> {
  const rows = await queryRows<{ kind: string; n: string | number }>(db, sql`select kind, count(*) as n from swas.image_events group by kind`);
  return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
}

/** Current (not deleted) image ids per account, sorted, to compare with the emulator's truth. */
export async function storedImageIds(db: Db): Promise<string[]> {
  const rows = await queryRows<{ account: string; image_id: string }>(db, sql`select account, image_id from swas.custom_images where deleted_at is null`);
  return rows.map((r) => `${r.account}/${r.image_id}`).sort();
}

/** What each account sees in the emulator (its own images and those shared with it), as `account/imageId`. */
export function truthImageIds(world: World): string[] {
  const out: string[] = [];
  for (const [name, uid] of world.uidOf) {
    for (const img of world.emu.images()) {
      const visible = img.ownerUid === uid || img.sharedWith.includes(uid);
      if (visible && world.regions.includes(img.regionId)) out.push(`${name}/${img.imageId}`);
    }
  }
  return out.sort();
}
