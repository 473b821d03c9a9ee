/**
 * SIGTERM / SIGINT: stop taking jobs, let active ones finish (bounded by the worker's shutdown
 * timeout), close Redis and Postgres, exit 0. Jobs that could not finish in time are not lost:
 * their locks lapse and another worker re-runs them as stalled jobs.
 */
import type { Logger } from '../ops/logger.js';

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
