/**
 * The worker (src/worker, issue 4), loaded at run time: the benchmark must still typecheck and
 * run (with the in-process fallback) on a tree where the worker has not landed or its API moved.
 * Only the three entry points the fan-out needs are checked and typed here.
 */
import type { Account } from '../../src/config/accounts.js';
import type { Config } from '../../src/config/env.js';
import type { DatabaseHandle } from '../../src/db/database.js';
import type { Logger } from '../../src/ops/logger.js';

export interface WorkerHandleLike {
  runsQueue: unknown;
  database: DatabaseHandle;
  close(): Promise<void>;
}

export interface FinishedRunLike {
  status: string;
  regionsTotal?: number;
  regionsSucceeded?: number;
  regionsFailed?: number;
  imagesSeen?: number;
}

export interface WorkerModule {
  startWorker(options: {
    config: Config;
    accounts: readonly Account[];
    logger: Logger;
    schedule: false;
    httpPort: false;
    tuning: { concurrency: number };
  }): Promise<WorkerHandleLike>;
  enqueueRun(queue: unknown): Promise<{ runId: string }>;
  waitForRun(db: DatabaseHandle['db'], runId: string, options: { timeoutMs: number; pollMs?: number }): Promise<FinishedRunLike>;
}

const isFunction = (x: unknown): boolean => typeof x === 'function';

/** The worker's entry points, or the reason they are not usable. */
export async function loadWorkerModule(): Promise<{ module: WorkerModule } | { missing: string }> {
  try {
    const start = await import(new URL('../../src/worker/start-worker.js', import.meta.url).href) as Record<string, unknown>;
    const enqueue = await import(new URL('../../src/worker/enqueue-run.js', import.meta.url).href) as Record<string, unknown>;
    if (!isFunction(start.startWorker) || !isFunction(enqueue.enqueueRun) || !isFunction(enqueue.waitForRun)) {
      return { missing: 'src/worker does not export startWorker / enqueueRun / waitForRun' };
    }
    return { module: { startWorker: start.startWorker, enqueueRun: enqueue.enqueueRun, waitForRun: enqueue.waitForRun } as WorkerModule };
  } catch (error) {
    return { missing: `src/worker could not be loaded: ${(error as Error).message.split('\n')[0]}` };
  }
}
