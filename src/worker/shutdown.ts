/**
 * SIGTERM / SIGINT: stop taking jobs, let active ones finish (bounded by the worker's shutdown
 * timeout), close Redis and Postgres, exit 0. Jobs that could not finish in time are not lost:
 * their locks lapse and another worker re-runs them as stalled jobs. The order is here
 * (shutDownWorker); start-worker.ts only hands over what it started.
 */
import type { Logger } from '../ops/logger.js';

interface Closable {
  close(): Promise<unknown>;
}

export interface WorkerParts<Connection> {
  logger: Logger;
  /** How long active jobs get to finish before they are abandoned. */
  timeoutMs: number;
  /** Stops what starts work on its own (the schedule keeper). */
  stopStarting: () => void;
  /** BullMQ workers (and the notifier's, the maintenance queue's): close() waits for active jobs, close(true) abandons them. */
  workers: ReadonlyArray<{ close(force?: boolean): Promise<unknown> } | null | undefined>;
  /** Said in the log when active jobs are abandoned. */
  activeJobs: () => Record<string, unknown>;
  /** Frees what abandoned jobs hold (their regions' claims), so the next run need not wait for them. */
  releaseAbandoned: () => Promise<void>;
  queues: readonly Closable[];
  http: Closable | null | undefined;
  connections: readonly Connection[];
  closeConnection: (connection: Connection) => Promise<unknown>;
  /** The database, when the worker opened it (one passed in is its owner's to close). */
  database: Closable | undefined;
}

/**
 * The worker's graceful shutdown, in order: nothing new starts; the workers stop taking jobs and
 * active ones get `timeoutMs` to finish (then are abandoned, their claims released); then the
 * queues, the ops server, the Redis connections and last the database close, each after everything
 * that could still use it.
 */
export async function shutDownWorker<Connection>(parts: WorkerParts<Connection>): Promise<void> {
  const { logger, timeoutMs, workers } = parts;
  parts.stopStarting();
  const graceful = Promise.all(workers.map((w) => w?.close())).then(() => true);
  const inTime = await Promise.race([graceful, new Promise<false>((r) => setTimeout(() => r(false), timeoutMs).unref())]);
  if (!inTime) {
    // Jobs still running are abandoned: their locks expire and another worker picks them up as stalled.
    logger.warn({ timeoutMs, ...parts.activeJobs() }, 'active jobs did not finish in time; closing anyway (they will be re-run as stalled jobs; their regions are freed for the next run)');
    await parts.releaseAbandoned().catch((err: unknown) => logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not release the claims of abandoned jobs'));
    await Promise.all(workers.map((w) => w?.close(true)));
  }
  await Promise.all(parts.queues.map((q) => q.close()));
  await parts.http?.close();
  await Promise.all(parts.connections.map(parts.closeConnection));
  await parts.database?.close();
  logger.info('worker stopped');
}

export interface ShutdownOptions {
  logger: Logger;
  signals?: readonly NodeJS.Signals[];
  /** Default process.exit. */
  exit?: (code: number) => void;
}

/** Installs the handlers; resolves the returned promise once the worker is closed. */
export function installShutdownHandlers(handle: { close(): Promise<void> }, options: ShutdownOptions): { stopped: Promise<number> } {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let resolveStopped: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => { resolveStopped = resolve; });
  let shuttingDown = false;

  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      options.logger.warn({ signal }, 'already shutting down; waiting for active jobs');
      return;
    }
    shuttingDown = true;
    options.logger.info({ signal }, 'shutting down: no new jobs; waiting for active ones');
    handle.close().then(
      () => { resolveStopped(0); exit(0); },
      (err: unknown) => {
        options.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'error while shutting down');
        resolveStopped(1);
        exit(1);
      },
    );
  };
  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) process.on(signal, onSignal);
  return { stopped };
}
