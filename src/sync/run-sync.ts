/**
 * A whole run in-process (the CLI's `sync`, no Redis): plan -> sync every region with bounded
 * concurrency -> summarize. Each region succeeds or fails on its own; a failure is recorded with
 * its reason and never turns into deletions.
 */
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { Account } from '../config/accounts.js';
import type { Config } from '../config/env.js';
import { classifyError } from '../cloud/classify-error.js';
import type { SwasClients } from '../cloud/swas-client.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../ops/logger.js';
import type { RegionSyncResult } from './apply-listing.js';
import { emptyCounts } from './diff-region.js';
import { planRegions, type PlannedRegion } from './plan-regions.js';
import { closeAbandonedRuns, finishRun, recordRegionFailure, startRun, type RunSummary, type RunTrigger } from './run-record.js';
import { syncRegion } from './sync-region.js';

export interface RunSyncDeps {
  db: Db;
  clients: SwasClients;
  config: Config;
  accounts: readonly Account[];
  log: Logger;
}

export interface RunSyncOptions {
  /** Only these region ids (CLI `--region`); default every planned region. */
  regions?: readonly string[];
  trigger?: RunTrigger;
  /** Regions synced at once. Default 4: the API, not us, is the bottleneck. */
  concurrency?: number;
  /** Told the plan's size, then each region's result as it ends (the CLI's live progress line). */
  progress?: SyncProgressListener;
}

export interface SyncProgressListener {
  planned(regions: number): void;
  regionDone(result: RegionSyncResult): void;
}

export interface RunSyncReport {
  runId: string;
  summary: RunSummary;
  regions: RegionSyncResult[];
}

export async function runSync(deps: RunSyncDeps, options: RunSyncOptions = {}): Promise<RunSyncReport> {
  const runId = randomUUID();
  await closeAbandonedRuns(deps.db);
  await startRun(deps.db, { id: runId, trigger: options.trigger ?? 'cli' });
  const log = deps.log.child({ runId });

  const plan = await planRegions(deps.clients, deps.accounts, deps.config, options.regions ?? []);
  const results: RegionSyncResult[] = [];
  options.progress?.planned(plan.regions.length + plan.failures.length);
  for (const { account, error } of plan.failures) {
    const c = classifyError(error);
    log.error({ account: account.name, code: c.code, err: c.message }, 'region discovery failed');
    results.push(failed(account.name, '*', c.code, c.message));
    options.progress?.regionDone(results[results.length - 1] as RegionSyncResult);
  }

  const limit = pLimit(options.concurrency ?? 4);
  results.push(...await Promise.all(plan.regions.map((region) => limit(async () => {
    const result = await syncOne(deps, log, runId, region);
    options.progress?.regionDone(result);
    return result;
  }))));

  const summary = await finishRun(deps.db, runId, {
    expectedRegions: plan.regions.length,
    ...(plan.failures.length > 0 ? { error: `region discovery failed for ${plan.failures.map((f) => f.account.name).join(', ')}` } : {}),
  });
  log.info({ status: summary.status, regions: summary.regionsTotal }, 'sync run finished');
  return { runId, summary, regions: results };
}

async function syncOne(deps: RunSyncDeps, log: Logger, runId: string, region: PlannedRegion): Promise<RegionSyncResult> {
  const startedAt = new Date();
  const where = { account: region.account.name, regionId: region.regionId };
  const counter = { apiCalls: 0 };
  try {
    const result = await syncRegion(deps, { runId, region, counter });
    log.info({ ...where, status: result.status, images: result.images, counts: result.counts }, 'region synced');
    return result;
  } catch (error) {
    const c = classifyError(error);
    log.error({ ...where, code: c.code, kind: c.kind, err: c.message }, 'region failed');
    // If even the failure cannot be recorded (database down), the other regions still finish
    // and report: one unrecorded failure must not abandon them mid-flight.
    await recordRegionFailure(deps.db, { runId, ...where, code: c.code, message: c.message, startedAt, apiCalls: counter.apiCalls })
      .catch((recordError: unknown) => log.error({ ...where, err: classifyError(recordError).message }, 'could not record the region failure'));
    return { ...failed(region.account.name, region.regionId, c.code, c.message), apiCalls: counter.apiCalls };
  }
}

function failed(account: string, regionId: string, code: string, message: string): RegionSyncResult {
  return { account, regionId, status: 'failed', pages: 0, apiCalls: 0, images: 0, counts: emptyCounts(), error: { code, message } };
}
