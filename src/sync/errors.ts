/**
 * Errors of the listing pipeline. `permanent: true` tells the queue (via classifyError) not to
 * retry: the same request would get the same answer. Messages say what happened and what to do,
 * and never carry credentials (only region ids, field names and short, cleaned value previews).
 */

/** The API answered, but with data we cannot trust. Fails the whole region; nothing is written for it. */
export class MalformedResponseError extends Error {
  override name = 'MalformedResponseError';
  readonly permanent = true;
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

/** The run was interrupted (SIGINT/SIGTERM of the one-shot `sync`): the region's listing stops at its next call and writes nothing. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
  readonly permanent = true;
  readonly code = 'Interrupted';

  constructor(readonly reason: string) {
    super(`interrupted (${reason}) before this region finished; nothing was written for it. The next run syncs it.`);
  }
}
