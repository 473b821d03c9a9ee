/**
 * The listing pipeline's own error: a run interrupted by a signal. A PermanentError (src/domain/errors.ts):
 * the region is not retried within the run, the next run syncs it.
 */
import { PermanentError } from '../domain/errors.js';

/** The run was interrupted (SIGINT/SIGTERM of the one-shot `sync`): the region's listing stops at its next call and writes nothing. */
export class InterruptedError extends PermanentError {
  override name = 'InterruptedError';
  readonly code = 'Interrupted';

  constructor(readonly reason: string) {
    super(`interrupted (${reason}) before this region finished; nothing was written for it. The next run syncs it.`);
  }
}
