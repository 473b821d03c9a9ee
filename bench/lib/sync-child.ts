/**
 * Runs one sync in a fresh child process (bench/child/sync.ts) and returns its timings and peak
 * RSS. Used by the ingest, memory and profile cases, and as the fan-out fallback engine.
 */
import { childScript, forkChild } from './fork-child.js';
import type { EmulatorKey } from './emulator-process.js';

export interface SyncChildInput {
  databaseUrl: string;
  emulatorUrl: string;
  keys: EmulatorKey[];
  /** SWAS_REGIONS: restrict discovery to these regions (default: all 26). */
  regions?: string[];
  /** Regions synced at once (runSync's option). */
  concurrency?: number;
  /** Each account's budget, through the CLI's in-memory limiter; default unpaced. */
  callsPerSecond?: number;
  /** Syncs in a row (the later ones re-syncs); default 1. */
  runs?: number;
  /**
   * Collect garbage as the `sync` command does (src/cli/sync-heap-tuning.ts), so the child's peak
   * RSS is what a user's `sync` peaks at; default off (V8's defaults, as the cases measured before).
   */
  syncCommandHeap?: boolean;
}

export interface SyncChildResult {
  type: 'result';
  /** One entry per run. */
  runs: Array<{ /** Epoch ms the run started. */ startedAt: number; ms: number; cpuMs: number; status: string; images: number; regions: number; failedRegions: string[] }>;
  /** RSS after imports and connecting, before the first sync. */
  baselineRssBytes: number;
  maxRssBytes: number;
}

export async function runSyncChild(input: SyncChildInput, nodeArgs: string[] = []): Promise<SyncChildResult> {
  const forked = forkChild<SyncChildResult>(childScript('sync.ts'), input, { nodeArgs });
  const result = await forked.next();
  await forked.exited;
  return result;
}
