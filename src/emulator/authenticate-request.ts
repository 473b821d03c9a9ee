import { ApiError } from './api-error.js';
import { sha256Hex } from './canonical-request.js';
import type { Credential } from './image-store.js';
import type { NonceCache } from './nonce-cache.js';
import type { ApiRequest } from './parse-request.js';
import type { KeyPermissions } from './permissions-format.js';
import { checkSignedHeaders, parseAuthorization, signatureMismatch, verifySignature } from './verify-signature.js';

export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export interface Principal {
  accountUid: string;
  accessKeyId: string;
  viaSts: boolean;
  /** The key's RAM permissions; absent for the account's own (root) key. */
  permissions?: KeyPermissions;
}

export interface AuthDeps {
  credential(accessKeyId: string): Credential | undefined;
  nonces: NonceCache;
  now(): Date;
}

function single(req: ApiRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The gateway's checks, in the order a client can best act on: malformed authorization, clock,
 * replay, unknown key, STS token, payload hash, signature. The nonce is remembered only once the
 * signature holds, so a forged request cannot burn a legitimate client's nonce.
 */
export function authenticateRequest(req: ApiRequest, deps: AuthDeps): Principal {
  const authorization = parseAuthorization(single(req, 'authorization'));
  const now = deps.now().getTime();

  const date = single(req, 'x-acs-date');
  if (date === undefined || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(date) || Number.isNaN(Date.parse(date))) {
    throw new ApiError('InvalidTimeStamp.Format', 400, 'Specified time stamp or date value is not well formatted (x-acs-date, yyyy-MM-ddTHH:mm:ssZ).');
  }
  if (Math.abs(Date.parse(date) - now) > MAX_CLOCK_SKEW_MS) {
    throw new ApiError('InvalidTimeStamp.Expired', 400, `Specified time stamp or date value is expired (x-acs-date ${date} is more than 15 minutes from the server time).`);
  }

  const nonce = single(req, 'x-acs-signature-nonce');
  if (nonce === undefined || nonce === '') throw new ApiError('MissingSignatureNonce', 400, 'x-acs-signature-nonce is mandatory for this action.');
  if (deps.nonces.has(nonce, now)) throw new ApiError('SignatureNonceUsed', 400, 'Specified signature nonce was used already.');

  const credential = deps.credential(authorization.accessKeyId);
  if (!credential) throw new ApiError('InvalidAccessKeyId.NotFound', 404, 'Specified access key is not found.');
  if (credential.status === 'Inactive') throw new ApiError('InvalidAccessKeyId.Inactive', 400, 'Specified access key is disabled.');
  checkSecurityToken(req, credential, authorization.accessKeyId, now);
  checkSignedHeaders(authorization.signedHeaders, req.headers);

  const hashedPayload = sha256Hex(req.body);
  if (single(req, 'x-acs-content-sha256') !== hashedPayload) {
    throw signatureMismatch('x-acs-content-sha256 does not match the SHA-256 of the request body.');
  }
  verifySignature({
    method: req.method,
    path: req.path,
    query: req.query,
    headers: req.headers,
    hashedPayload,
    authorization,
    accessKeySecret: credential.accessKeySecret,
  });
  deps.nonces.add(nonce, now);
  return {
    accountUid: credential.accountUid,
    accessKeyId: credential.accessKeyId,
    viaSts: credential.securityToken !== undefined,
    ...(credential.permissions === undefined ? {} : { permissions: credential.permissions }),
  };
}

/**
 * What the gateway can tell from a token alone: STS tokens are base64 text that starts `CAIS`.
 * Anything else cannot be decoded (Malformed); a decodable token issued with another key is a
 * mismatch.
 */
const WELL_FORMED_TOKEN = /^CAIS[A-Za-z0-9+/=_-]+$/;

/** The common POP STS codes and messages (docs/EMULATOR.md); statuses 400 as the reference has them. */
function checkSecurityToken(req: ApiRequest, credential: Credential, accessKeyId: string, now: number): void {
  const token = single(req, 'x-acs-security-token');
  const headerKeyId = single(req, 'x-acs-accesskey-id');
  if (headerKeyId !== undefined && headerKeyId !== accessKeyId) {
    throw new ApiError('InvalidAccessKeyId.Mismatch', 400, 'x-acs-accesskey-id does not match the Credential of the Authorization header.');
  }
  if (token !== undefined && token !== '' && !WELL_FORMED_TOKEN.test(token)) {
    throw new ApiError('InvalidSecurityToken.Malformed', 400, 'Specified SecurityToken is malformed.');
  }
  if (credential.securityToken === undefined) {
    if (token !== undefined) throw new ApiError('InvalidSecurityToken.MismatchWithAccessKey', 400, 'Specified SecurityToken mismatch with the AccessKey.');
    return;
  }
  if (token === undefined || token === '') throw new ApiError('MissingSecurityToken', 400, 'This AccessKey is an STS credential: x-acs-security-token is mandatory.');
  if (token !== credential.securityToken) throw new ApiError('InvalidSecurityToken.MismatchWithAccessKey', 400, 'Specified SecurityToken mismatch with the AccessKey.');
  if (credential.expiresAt !== undefined && Date.parse(credential.expiresAt) <= now) {
    throw new ApiError('InvalidSecurityToken.Expired', 400, 'Specified SecurityToken is expired.');
  }
}
