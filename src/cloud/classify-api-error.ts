/**
 * Maps what an API call threw to what a retry policy should do with it. Pure: looks only at the
 * error's own fields (SDK error classes from @alicloud/openapi-core, Node socket errors) and at our
 * own errors' classes. Unknown failures count as transient: a retry is cheap, a lost region is not.
 * Database errors are classified beside the database code (src/db/classify-database-error.ts);
 * src/sync/classify-error.ts is the one entry point that picks between the two.
 */
import { PermanentError, UsageError, type ClassifiedError } from '../domain/errors.js';
import { redactMessage as redact } from '../ops/redact-message.js';
import { ACCESS_DENIED_CODES, describeAccessDenied, readAccessDenied } from './access-denied.js';

/** Codes that will fail the same way on every retry: credentials, permissions, our request. */
const PERMANENT_CODES: readonly RegExp[] = [
  /^InvalidAccessKeyId(\.|$)/,
  /^IncompleteSignature$/,
  /^SignatureDoesNotMatch$/,
  /^InvalidSecurityToken(\.|$)/,
  /^Forbidden(\.|$)/,
  /^NoPermission$/,
  /^InvalidParameter(\.|$)/,
  /^MissingParameter(\.|$)/,
  /^InvalidRegionId(\.|$)/,
  /^InvalidAction(\.|$)/,
  /^InvalidTimeStamp\.Expired$/,
  /^InvalidCredentials$/,
  /^MalformedResponse$/,
];

/** What to fix, for the refusals whose SDK message does not say (the account's credentials or clock). */
const CREDENTIAL_HINTS: ReadonlyArray<[RegExp, string]> = [
  [/^InvalidAccessKeyId(\.|$)/, 'the AccessKey ID is not known: check ALIBABA_CLOUD_ACCESS_KEY_ID, or the variable the account names in SWAS_CONFIG'],
  [/^(IncompleteSignature|SignatureDoesNotMatch)$/, 'the signature was refused, which usually means a wrong AccessKey secret: check ALIBABA_CLOUD_ACCESS_KEY_SECRET, or the variable the account names in SWAS_CONFIG'],
  [/^InvalidSecurityToken(\.|$)/, 'the STS security token is invalid or expired: refresh ALIBABA_CLOUD_SECURITY_TOKEN, or let the account assume its role (ram_role_arn)'],
  [/^InvalidTimeStamp\.Expired$/, 'this machine\'s clock is off: synchronise it (NTP)'],
];

const TRANSIENT_CODES: readonly RegExp[] = [
  /^ServiceUnavailable$/,
  /^InternalError$/,
  /^SignatureNonceUsed$/, // a fresh nonce on retry fixes it
  /^(ECONNRESET|ECONNREFUSED|ECONNABORTED|ETIMEDOUT|ESOCKETTIMEDOUT|EPIPE|EAI_AGAIN|ENOTFOUND|ENETUNREACH|EHOSTUNREACH|UND_ERR_\w+)$/,
];

const TRANSIENT_MESSAGES = /socket hang up|timeout|timed out|ECONNRESET|ECONNREFUSED|ETIMEDOUT|network/i;

/** Matches `$dara.cast`'s complaint about a wrong JSON type, and a body that is not JSON. */
const MALFORMED_MESSAGES = /is mismatch, expect|can not cast to|Unexpected token|JSON/;

/** A body cut short (a proxy or connection dropping mid-body) parses as broken JSON, but a retry can succeed. */
const TRUNCATED_JSON = /Unexpected end of JSON input|Unterminated string in JSON/;

/** @alicloud/credentials' default chain found nothing (no env keys, profile, role, URI). */
const NO_CREDENTIALS = /unable to get credentials from any of the providers in the chain/i;

export function classifyApiError(error: unknown): ClassifiedError {
  const e = asRecord(error);
  const code = stringField(e, 'code');
  const message = tidyApiMessage(redact(error instanceof Error ? error.message : typeof error === 'string' ? error : 'unknown error'), code);
  if (NO_CREDENTIALS.test(message)) {
    return {
      kind: 'permanent',
      code: 'NoCredentials',
      message: 'No Alibaba Cloud credentials found: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET ' +
        '(the default credentials chain), or give the account its credentials in the accounts file (SWAS_CONFIG: ' +
        `profile, ram_role_arn, ecs_ram_role or access_key). The chain tried: ${message}`.slice(0, 2000),
    };
  }
  const statusCode = numberField(e, 'statusCode');
  const requestId = stringField(e, 'requestId');
  const base = {
    message,
    ...(statusCode !== undefined ? { statusCode } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
  };
  const name = stringField(e, 'name') ?? '';

  if (name === 'ThrottlingError' || (code !== undefined && code.includes('Throttling'))) {
    const retryAfterMs = numberField(e, 'retryAfter');
    return { kind: 'throttled', code: code ?? 'Throttling', ...base, ...(retryAfterMs !== undefined && retryAfterMs >= 0 ? { retryAfterMs } : {}) };
  }
  // Our own errors say by their class that a retry would fail the same way.
  if (error instanceof PermanentError || error instanceof UsageError) return { kind: 'permanent', code: code ?? name, ...base };
  if (code !== undefined && ACCESS_DENIED_CODES.test(code)) {
    const accessDenied = readAccessDenied(e?.accessDeniedDetail ?? asRecord(e?.data)?.AccessDeniedDetail);
    return {
      kind: 'permanent', code, ...base,
      message: `${base.message} ${describeAccessDenied(accessDenied)}`,
      ...(accessDenied === undefined ? {} : { accessDenied }),
    };
  }
  if (code !== undefined && PERMANENT_CODES.some((re) => re.test(code))) {
    const hint = CREDENTIAL_HINTS.find(([re]) => re.test(code))?.[1];
    return { kind: 'permanent', code, ...base, ...(hint !== undefined ? { message: `${message} (${hint})`.slice(0, 2000) } : {}) };
  }
  if (code !== undefined && TRANSIENT_CODES.some((re) => re.test(code))) return { kind: 'transient', code, ...base };
  if (statusCode !== undefined && statusCode >= 500) return { kind: 'transient', code: code ?? `HTTP${statusCode}`, ...base };
  if (error instanceof SyntaxError && TRUNCATED_JSON.test(message)) return { kind: 'transient', code: 'TruncatedResponse', ...base };
  if (error instanceof SyntaxError || MALFORMED_MESSAGES.test(message)) {
    return { kind: 'permanent', code: code ?? 'MalformedResponse', ...base };
  }
  if (TRANSIENT_MESSAGES.test(message) || /timeout/i.test(name)) return { kind: 'transient', code: code ?? 'NetworkError', ...base };
  // A 4xx with a code we do not know: the request itself was refused, repeating it will not help.
  if (statusCode !== undefined && statusCode >= 400) return { kind: 'permanent', code: code ?? `HTTP${statusCode}`, ...base };
  return { kind: 'transient', code: code ?? (name !== '' ? name : 'UnknownError'), ...base };
}

/**
 * The SDK's wording, made to read once the code is shown beside it (`code: message` in tables and
 * reasons): its message starts with the code again and says the HTTP status as `code: 403,`
 * (`Forbidden.RAM: code: 403, ...` printed `Forbidden.RAM: Forbidden.RAM: code: 403`); httpx
 * appends the request line with no separator (`connect ECONNREFUSED 127.0.0.1:5997POST http://…`).
 */
export function tidyApiMessage(message: string, code: string | undefined): string {
  const withoutCode = code !== undefined && message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message;
  return withoutCode
    .replace(/^code: (\d{3}), /, 'HTTP $1: ')
    .replace(/(\S)((?:GET|POST|PUT|DELETE|PATCH|HEAD) \S+ failed\.)$/, '$1; $2');
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function stringField(e: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = e?.[key];
  // openapi-core formats a missing Code or RequestId as the string "undefined".
  return typeof v === 'string' && v !== '' && v !== 'undefined' ? v : undefined;
}

function numberField(e: Record<string, unknown> | undefined, key: string): number | undefined {
  const v = e?.[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
}
