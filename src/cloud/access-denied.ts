/**
 * What a RAM denial (HTTP 403 `Forbidden.RAM` / `NoPermission`) tells an operator, read from the
 * `AccessDeniedDetail` the gateway sends and the SDK copies onto its error as `accessDeniedDetail`.
 * Pure. Only the actionable parts go into the message: which action, which principal (type,
 * display name, owner account) and whether a Deny or a missing Allow refused it; the opaque
 * EncodedDiagnosticMessage stays out (it is long and only RAM's DecodeDiagnosticMessage reads it).
 */
import type { AccessDenied } from '../domain/errors.js';


/** Codes of a RAM denial (the gateway's, and services' own). */
export const ACCESS_DENIED_CODES = /^(Forbidden\.RAM|NoPermission)$/;

/** Server-sent text shown to operators: bounded, one line, no control characters. */
function clean(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  // eslint-disable-next-line no-control-regex
  const text = String(value).replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return text === '' ? undefined : text.slice(0, 128);
}

export function readAccessDenied(detail: unknown): AccessDenied | undefined {
  if (typeof detail !== 'object' || detail === null) return undefined;
  const d = detail as Record<string, unknown>;
  const pick = (pascal: string): string | undefined => clean(d[pascal] ?? d[pascal.charAt(0).toLowerCase() + pascal.slice(1)]);
  const out: AccessDenied = {};
  const fields: Array<[keyof AccessDenied, string]> = [
    ['action', 'AuthAction'], ['principalType', 'AuthPrincipalType'], ['principalName', 'AuthPrincipalDisplayName'],
    ['ownerId', 'AuthPrincipalOwnerId'], ['noPermissionType', 'NoPermissionType'], ['policyType', 'PolicyType'],
  ];
  for (const [key, name] of fields) {
    const value = pick(name);
    if (value !== undefined) out[key] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The sentence appended to the SDK's message: what was refused to whom, and what to do. */
export function describeAccessDenied(denied: AccessDenied | undefined): string {
  const action = denied?.action ?? 'the API action';
  const who = [denied?.principalType, denied?.principalName === undefined ? undefined : `"${denied.principalName}"`].filter((x) => x !== undefined).join(' ');
  const owner = denied?.ownerId === undefined ? '' : ` of account ${denied.ownerId}`;
  const why = denied?.noPermissionType === 'ExplicitDeny'
    ? `an explicit Deny${denied.policyType === undefined ? '' : ` (${denied.policyType})`} refuses it: remove or narrow that Deny`
    : `no policy allows it${denied?.noPermissionType === undefined ? '' : ` (${denied.noPermissionType})`}: grant ${action} to this identity`;
  return `RAM denied ${action} to ${who === '' ? 'this identity' : who}${owner}; ${why}, or leave this region (SWAS_REGIONS, the account's regions.deny) or account out of the sync. Not retried: the same call gets the same answer until the permissions change.`;
}
