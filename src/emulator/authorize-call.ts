import { ApiError } from './api-error.js';
import type { KeyPermissions, PrincipalType } from './permissions-format.js';

/**
 * RAM authorization of one call, as the gateway does it after authentication. Pure: the key's
 * permissions and the call in, a decision (and the 403 to answer) out.
 *
 * Only ListCustomImages is authorized: the reference says ListRegions needs no RAM permission.
 * Its resources are, per the API page, `acs:swas-open:{region}:{account}:customimage/*`, or one
 * ARN per image when the call names `ImageIds`: so a policy scoped to some images allows a
 * listing of exactly those, and denies the unfiltered listing (its resource is `customimage/*`).
 */
export const SERVICE = 'swas-open';

export interface CallToAuthorize {
  action: string;
  regionId: string;
  accountUid: string;
  imageIds: readonly string[] | undefined;
}

export type Decision = 'Allow' | 'ImplicitDeny' | 'ExplicitDeny';

export function customImageArn(regionId: string, accountUid: string, imageId: string): string {
  return `acs:${SERVICE}:${regionId}:${accountUid}:customimage/${imageId}`;
}

/** The ARNs a call is authorized on. */
export function callResources(call: CallToAuthorize): string[] {
  const ids = call.imageIds !== undefined && call.imageIds.length > 0 ? call.imageIds : ['*'];
  return ids.map((id) => customImageArn(call.regionId, call.accountUid, id));
}

const globCache = new Map<string, RegExp>();

/** RAM wildcards: `*` any run of characters, `?` one character; actions match case-insensitively. */
export function globMatches(pattern: string, value: string, ignoreCase = false): boolean {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let re = globCache.get(key);
  if (re === undefined) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
    re = new RegExp(`^${body}$`, ignoreCase ? 'i' : '');
    globCache.set(key, re);
  }
  return re.test(value);
}

/** Explicit Deny wins over Allow; with neither, the call is implicitly denied. */
export function evaluate(permissions: KeyPermissions, authAction: string, regionId: string, resource: string): Decision {
  let allowed = false;
  for (const statement of permissions.statements) {
    if (!statement.actions.some((a) => globMatches(a, authAction, true))) continue;
    if (statement.regions !== undefined && !statement.regions.includes(regionId)) continue;
    if (!(statement.resources ?? ['*']).some((r) => globMatches(r, resource))) continue;
    if (statement.effect === 'Deny') return 'ExplicitDeny';
    allowed = true;
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}

export interface DeniedPrincipal {
  type: PrincipalType;
  ownerUid: string;
  displayName: string;
}

/**
 * The 403 the gateway answers, with the `AccessDeniedDetail` object the SDK hands to callers as
 * `error.accessDeniedDetail` (openapi-core copies `AccessDeniedDetail` from the body as is).
 * Field order as in the documented examples. The real EncodedDiagnosticMessage is opaque (decoded
 * by RAM's DecodeDiagnosticMessage); here it is base64 JSON of what that API would return.
 */
export function accessDenied(code: KeyPermissions['deniedCode'], principal: DeniedPrincipal, authAction: string, resource: string, decision: Exclude<Decision, 'Allow'>): ApiError {
  const diagnostic = {
    ExplicitDeny: decision === 'ExplicitDeny',
    NoPermissionPolicyType: 'AccountLevelIdentityBasedPolicy',
    AuthAction: authAction,
    AuthResource: resource,
    AuthPrincipal: { AuthPrincipalType: principal.type, AuthPrincipalOwnerId: principal.ownerUid, AuthPrincipalDisplayName: principal.displayName },
  };
  const detail = {
    PolicyType: 'AccountLevelIdentityBasedPolicy',
    AuthPrincipalOwnerId: principal.ownerUid,
    AuthPrincipalType: principal.type,
    AuthPrincipalDisplayName: principal.displayName,
    NoPermissionType: decision,
    AuthAction: authAction,
    EncodedDiagnosticMessage: Buffer.from(JSON.stringify(diagnostic), 'utf8').toString('base64'),
  };
  const message = code === 'NoPermission'
    ? `You are not authorized to do this action. Resource: ${resource} Action: ${authAction}`
    : 'User not authorized to operate on the specified resource, or this API doesn\'t support RAM.';
  return new ApiError(code, 403, message, {}, { AccessDeniedDetail: detail });
}

/** Throws the gateway's 403 unless `permissions` (absent: a root key) allow the call. */
export function authorizeCall(permissions: KeyPermissions | undefined, principal: DeniedPrincipal, call: CallToAuthorize): void {
  if (permissions === undefined || call.action !== 'ListCustomImages') return;
  const authAction = `${SERVICE}:${call.action}`;
  for (const resource of callResources(call)) {
    const decision = evaluate(permissions, authAction, call.regionId, resource);
    if (decision !== 'Allow') throw accessDenied(permissions.deniedCode, principal, authAction, resource, decision);
  }
}
