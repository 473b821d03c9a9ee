/**
 * An error the gateway answers with the standard error body. Every rejection in the emulator is
 * one of these, so the HTTP status, Code and extra headers travel together and cannot disagree.
 */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    /** Extra fields of the error body after the standard five, e.g. `AccessDeniedDetail`. */
    readonly bodyFields: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const missingParameter = (name: string): ApiError =>
  new ApiError('MissingParameter', 400, `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);

export const invalidParameter = (name: string, why: string): ApiError =>
  new ApiError(`InvalidParameter.${name}`, 400, `The specified parameter "${name}" is not valid: ${why}`);

export const internalError = (): ApiError =>
  new ApiError('InternalError', 500, 'An error occurred while processing your request.');

export const serviceUnavailable = (): ApiError =>
  new ApiError('ServiceUnavailable', 503, 'The request has failed due to a temporary failure of the server.');

/** Throttled calls carry `x-acs-retry-after` (ms): newer SDK heads detect throttling by it alone. */
export const throttled = (code: string, retryAfterMs: number): ApiError =>
  new ApiError(code, 400, 'Request was denied due to user flow control.', {
    'x-acs-retry-after': String(Math.max(0, Math.ceil(retryAfterMs))),
  });
