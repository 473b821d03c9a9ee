/**
 * The API answered, but with data we cannot trust (a ListRegions or ListCustomImages answer of the
 * wrong shape). A PermanentError: the same request would get the same answer, so it is not
 * retried. The message names the region, the field and a short, cleaned preview of the value,
 * never credentials.
 */
import { PermanentError } from '../domain/errors.js';

/** The API answered, but with data we cannot trust. Fails the whole region; nothing is written for it. */
export class MalformedResponseError extends PermanentError {
  override name = 'MalformedResponseError';
  readonly code = 'MalformedResponse';

  constructor(readonly regionId: string, readonly reason: string, readonly imageId: string | null = null) {
    super(
      `ListCustomImages for region ${regionId} returned malformed data${imageId !== null ? ` (image ${imageId})` : ''}: ${reason}. ` +
      'Nothing was written for this region. This is not retried: check the API response (or the emulator seed) ' +
      'and whether the SDK or API version changed.',
    );
  }
}

/** Shortens and sanitizes a value for an error message (no NULs, bounded length). */
export function previewValue(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  text = text.replaceAll('\u0000', '');
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
