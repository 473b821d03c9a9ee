import { timingSafeEqual } from 'node:crypto';
import { ApiError } from './api-error.js';
import { ACS3_ALGORITHM, canonicalRequest, signString, stringToSign, type HeaderBag } from './canonical-request.js';

/** The parts of `Authorization: ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..`. */
export interface ParsedAuthorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/**
 * The gateway tells two things apart: a signature that is computed but wrong
 * (`SignatureDoesNotMatch`, "Specified signature does not match our calculation.", with the
 * server's StringToSign so a client can compare) and a signature with pieces missing or malformed
 * (`IncompleteSignature`, "The request signature does not conform to Aliyun standards."). Both 400.
 */
export const SIGNATURE_MISMATCH_CODE = 'SignatureDoesNotMatch';
export const INCOMPLETE_SIGNATURE_CODE = 'IncompleteSignature';

const incomplete = (why: string): ApiError =>
  new ApiError(INCOMPLETE_SIGNATURE_CODE, 400, `The request signature does not conform to Aliyun standards. ${why}`);

export const signatureMismatch = (detail: string): ApiError =>
  new ApiError(SIGNATURE_MISMATCH_CODE, 400, `Specified signature does not match our calculation. ${detail}`);

export function parseAuthorization(header: string | undefined): ParsedAuthorization {
  if (header === undefined || header.trim() === '') throw incomplete('The Authorization header is missing.');
  const trimmed = header.trim();
  if (!trimmed.startsWith(`${ACS3_ALGORITHM} `)) {
    throw incomplete(`Only ${ACS3_ALGORITHM} is supported by this endpoint.`);
  }
  const fields = new Map<string, string>();
  for (const part of trimmed.slice(ACS3_ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get('Credential');
  const signed = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signed || !signature) {
    throw incomplete('Authorization must carry Credential, SignedHeaders and Signature.');
  }
  return { accessKeyId, signedHeaders: signed.split(';').map((h) => h.trim()), signature: signature.toLowerCase() };
}

/**
 * SignedHeaders must be lower-case, sorted, and cover `host` and every `x-acs-*` header sent:
 * otherwise an unsigned header (say, the security token) could be swapped in transit.
 */
export function checkSignedHeaders(signedHeaders: readonly string[], headers: HeaderBag): void {
  for (let i = 0; i < signedHeaders.length; i += 1) {
    const name = signedHeaders[i] ?? '';
    if (name !== name.toLowerCase()) throw incomplete(`SignedHeaders must be lower-case: "${name}".`);
    if (i > 0 && (signedHeaders[i - 1] ?? '') >= name) throw incomplete('SignedHeaders must be sorted and unique.');
  }
  const signed = new Set(signedHeaders);
  if (!signed.has('host')) throw incomplete('SignedHeaders must include host.');
  for (const name of Object.keys(headers)) {
    if (name.startsWith('x-acs-') && !signed.has(name)) throw incomplete(`Header "${name}" was sent but not signed.`);
  }
}

export interface SignatureCheckInput {
  method: string;
  path: string;
  query: ReadonlyArray<readonly [string, string]>;
  headers: HeaderBag;
  hashedPayload: string;
  authorization: ParsedAuthorization;
  accessKeySecret: string;
}

/**
 * Throws SignatureDoesNotMatch with the server's StringToSign (as the real gateway does). Only the
 * StringToSign: the canonical request would echo the security token back into error messages.
 */
export function verifySignature(input: SignatureCheckInput): void {
  const toSign = stringToSign(
    canonicalRequest({
      method: input.method,
      path: input.path,
      query: input.query,
      headers: input.headers,
      signedHeaders: input.authorization.signedHeaders,
      hashedPayload: input.hashedPayload,
    }),
  );
  const expected = Buffer.from(signString(input.accessKeySecret, toSign), 'utf8');
  const given = Buffer.from(input.authorization.signature, 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw signatureMismatch(`server StringToSign is [${toSign}]`);
  }
}
