/**
 * One (account, region): list -> apply. Throws whatever the listing threw (classified by the
 * caller): retries are the queue's business, and the CLI's single pass records the failure.
 */
import type { Config } from '../config/env.js';
import type { SwasClients } from '../cloud/swas-client.js';
import type { Db } from '../db/database.js';
import { applyListing, type RegionSyncResult } from './apply-listing.js';
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
}

export async function syncRegion(deps: SyncRegionDeps, input: SyncRegionInput): Promise<RegionSyncResult> {
  const startedAt = new Date();
  const listing = await listRegion(deps.clients, input.region.account, input.region, deps.config);
  return applyListing(deps.db, listing, { runId: input.runId, startedAt, attempts: input.attempts ?? 1 });
}
