/**
 * The worker (or `enqueue --wait`) cannot run as configured: DATABASE_URL unset (the queue's
 * processes share PostgreSQL; the embedded database admits one process). A ConfigurationError,
 * so the command exits 2 with the message as one line. A module of its own so `enqueue` can throw
 * it without loading the daemon.
 */
import { ConfigurationError } from '../domain/errors.js';

export class WorkerConfigError extends ConfigurationError {
  override name = 'WorkerConfigError';
}
