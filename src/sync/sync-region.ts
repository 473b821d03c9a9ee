/**
 * One (account, region): the listing streams into the region's transaction (list -> normalize ->
 * check -> diff -> persist, page by page). Throws whatever the listing threw: retries are the
 * queue's business, and the CLI's single pass records the failure.
 */
import type { Config } from '../config/env.js';
import type { SwasClients } from '../cloud/swas-client.js';
import type { Db } from '../db/database.js';
import { writeRegion, type RegionSyncResult } from './apply-listing.js';
import type { ApiCallCounter } from './fetch-region.js';
import { listRegion } from './list-region.js';
import type { PlannedRegion } from './plan-regions.js';

export interface SyncRegionDeps {
  db: Db;
  clients: SwasClients;
  config: Config;
}

export interface SyncRegionInput {
  runId: string;
  region: PlannedRegion;
  attempts?: number;
  /** Counts API calls; pass one to know how many a failed region made. */
  counter?: ApiCallCounter;
  /** Awaited when the listing ended, before its write (writeRegion's `listed`). */
  listed?: () => Promise<void>;
}

export async function syncRegion(deps: SyncRegionDeps, input: SyncRegionInput): Promise<RegionSyncResult> {
  const { region } = input;
  const counter = input.counter ?? { apiCalls: 0 };
  return writeRegion(
    deps.db,
    { runId: input.runId, account: region.account.name, regionId: region.regionId, startedAt: new Date(), attempts: input.attempts ?? 1 },
    (writer) => listRegion(deps.clients, region.account, region, deps.config, { counter, sink: writer }),
    input.listed ? { listed: input.listed } : {},
  );
}
