/**
 * The one place a failure is classified for the retry policies (the CLI's and the queue's): a
 * database error by its SQLSTATE (src/db/classify-database-error.ts), anything else as an API
 * failure, our own errors by their class (src/cloud/classify-api-error.ts, src/domain/errors.ts).
 */
import { classifyApiError } from '../cloud/classify-api-error.js';
import { classifyDatabaseError } from '../db/classify-database-error.js';
import type { ClassifiedError } from '../domain/errors.js';

export function classifyError(error: unknown): ClassifiedError {
  return classifyDatabaseError(error) ?? classifyApiError(error);
}
