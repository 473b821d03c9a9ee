/**
 * The worker's bridge to the sync pipeline: the same syncRegion / region selection / run-record
 * functions the CLI's in-process `sync` uses, looked up by account NAME (job data never carries
 * credentials; each worker resolves them from its own accounts file).
 */
import type { RedisClient } from './redis-connection.js';
import type { Account } from '../config/accounts.js';
import type { Config } from '../config/env.js';
import type { SwasClients } from '../cloud/swas-client.js';
import type { Db } from '../db/database.js';
import { regionsRecorded } from '../db/region-syncs.js';
import { listAvailableRegions } from '../cloud/list-regions.js';
import { recordRegionFailure } from '../sync/run-record.js';
import { selectRegions, type UnknownRegion } from '../config/select-regions.js';
import { syncRegion } from '../sync/sync-region.js';
import type { RegionJobData, RegionTarget } from './job-data.js';
import type { RegionFailureRecord, RegionSyncOutcome } from './process-account-job.js';
import { cachedRegions } from './region-cache.js';
import { PermanentError } from '../domain/errors.js';
import type { ApiCallCounter } from '../sync/fetch-region.js';

/** A job names an account this worker's configuration does not have: workers disagree on SWAS_CONFIG. */
export class UnknownAccountError extends PermanentError {
  override name = 'UnknownAccountError';
  readonly code = 'UnknownAccount';
  constructor(account: string) {
    super(`Account "${account}" is not in this worker's accounts file (SWAS_CONFIG). Give every worker the same accounts file.`);
  }
}

export interface SyncAdapterDeps {
  db: Db;
  clients: SwasClients;
  config: Config;
  accounts: readonly Account[];
  redis: RedisClient;
  prefix: string;
  /** How long ListRegions answers are reused. */
  regionCacheTtlMs: number;
}

export function createSyncAdapters(deps: SyncAdapterDeps) {
  const byName = new Map(deps.accounts.map((a) => [a.name, a]));
  const accountNamed = (name: string): Account => {
    const account = byName.get(name);
    if (account === undefined) throw new UnknownAccountError(name);
    return account;
  };

  return {
    async syncRegion(data: RegionJobData, attempt: number, counter: ApiCallCounter, listed?: () => Promise<void>): Promise<RegionSyncOutcome> {
      const account = accountNamed(data.account);
      const result = await syncRegion(
        { db: deps.db, clients: deps.clients, config: deps.config },
        { runId: data.runId, region: { account, regionId: data.regionId, endpoint: data.endpoint }, attempts: attempt, counter, ...(listed ? { listed } : {}) },
      );
      return { status: result.status, images: result.images, apiCalls: result.apiCalls, ...(result.note !== undefined ? { note: result.note } : {}) };
    },

    /** Any row counts: a region's row is written once, final (success in its transaction, failure after its last attempt). */
    async recordedRegions(runId: string, account: string): Promise<ReadonlySet<string>> {
      return new Set((await regionsRecorded(deps.db, runId, account)).map((r) => r.regionId));
    },

    async recordFailure(data: RegionJobData, failure: RegionFailureRecord): Promise<void> {
      await recordRegionFailure(deps.db, {
        runId: data.runId, account: data.account, regionId: data.regionId,
        code: failure.code, message: failure.message, attempts: failure.attempts, startedAt: failure.startedAt,
      });
    },

    /** `counter` counts the ListRegions calls made (none when the answer was cached). */
    async regionsOf(name: string, counter: ApiCallCounter = { apiCalls: 0 }): Promise<{ targets: RegionTarget[]; unknown: UnknownRegion[] }> {
      const account = accountNamed(name);
      // The cache holds ListRegions' whole answer; the filters apply after, so a changed filter takes effect at once.
      const available = await cachedRegions(deps.redis, deps.prefix, name, { endpoint: deps.config.endpoint, v: 2 }, deps.regionCacheTtlMs, async () => {
        counter.apiCalls += 1;
        return (await listAvailableRegions(deps.clients, account)).map((r) => ({ account: name, regionId: r.regionId, endpoint: r.endpoint }));
      });
      return selectRegions(available, account, { configured: deps.config.regions });
    },
  };
}
