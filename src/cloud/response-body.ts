/**
 * How the SDK's answers are read, made truthful about two things the SDK loses (openapi-core
 * 1.0.8 reads every body with `$dara.Stream.readAsJSON`, @darabonba/typescript 1.0.5):
 *
 * - The HTTP status of an answer that is not JSON. A gateway or proxy in front of the API answers
 *   a 502 or 503 with an HTML page; the SDK's JSON.parse throws a bare SyntaxError before it looks
 *   at the status, so the region failed as a permanent `MalformedResponse` ("Unexpected token
 *   '<'") with no 502 in it, while the same 502 with a JSON body was retried. A 5xx is transient
 *   whatever its body: here it becomes an error carrying the status, which classifyError retries.
 * - Bytes that are not UTF-8. The SDK decodes with replacement characters, so a name with a bad
 *   byte was stored as `bad\ufffd...` and recorded as an `updated` event that the next clean
 *   listing undid (two false events from one bad answer). Such a body now fails its call as
 *   `MalformedResponse`: the region writes nothing and records the reason (docs/RELIABILITY.md).
 *
 * The SDK has no hook for either (the status is a local of doRPCRequest), so the one static it
 * reads bodies through is wrapped, once per process, by the code that builds SDK clients.
 */
import * as darabonba from '@darabonba/typescript';
import { Buffer, isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';

// CommonJS whose `Stream` is a getter Node's ESM loader does not see as a named export (it is on
// `default` there), while vite/vitest expose it directly. Accept both, as swas-client.ts does.
const dara = darabonba as typeof darabonba & { default?: typeof darabonba };
const sdkStream = (): typeof darabonba.Stream => dara.Stream ?? (dara.default as typeof darabonba).Stream;

/** An answer whose body could not be read as the API's JSON; `statusCode` is the HTTP status. */
export class UnreadableResponseError extends Error {
  override name = 'UnreadableResponseError';

  constructor(readonly code: string, message: string, readonly statusCode: number, readonly permanent: boolean) {
    super(message);
  }
}

const STATUS_TEXT: Record<number, string> = {
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** Pure: what a body that did not parse means, given the status it came with. Null: the parse error stands. */
export function describeUnparsedBody(statusCode: number, contentType: string | undefined, text: string): UnreadableResponseError | null {
  if (statusCode < 400) return null;
  const status = `HTTP ${statusCode}${STATUS_TEXT[statusCode] !== undefined ? ` ${STATUS_TEXT[statusCode]}` : ''}`;
  const preview = text.replace(/\s+/g, ' ').trim().slice(0, 60);
  const what = `${status} with a ${contentType?.split(';')[0]?.trim() || 'non-JSON'} body instead of the API's answer` +
    `${preview !== '' ? ` (${JSON.stringify(preview)})` : ''}`;
  return statusCode >= 500
    ? new UnreadableResponseError(`HTTP${statusCode}`, `${what}: a gateway or proxy failed on the way; retried`, statusCode, false)
    : new UnreadableResponseError(`HTTP${statusCode}`, `${what}: the request was refused before it reached the API`, statusCode, true);
}

/**
 * Pure: the body as text, or the reason it is not UTF-8 (the first offending byte, for the
 * message). The text is what a fatal TextDecoder gives (a leading BOM dropped), by a cheaper path:
 * Buffer's check and decoder (simdutf) took a third less CPU than the TextDecoder over a 15-image
 * page (issue 24). The offending byte is searched with a decoder of its own: a shared one left in
 * streaming mode by a failed search carried its pending bytes into the next body's decode.
 */
export function decodeBody(bytes: Uint8Array): { text: string } | { invalidAt: number } {
  if (isUtf8(bytes)) {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const bom = buffer.length >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
    return { text: buffer.toString('utf8', bom) };
  }
  const probe = new TextDecoder('utf-8', { fatal: true });
  for (let end = 1; end <= bytes.length; end++) {
    try {
      probe.decode(bytes.subarray(end - 1, end), { stream: true });
    } catch {
      return { invalidAt: end - 1 };
    }
  }
  // Only a truncated sequence at the end: the decoder says so when the stream ends.
  return { invalidAt: bytes.length };
}

/**
 * httpx (2.3.3, under @darabonba/typescript) arms a read timer per call on the call's socket
 * (`socket[Symbol('TIMER::READ_TIMER')]`) and only its own `read()` clears it; the SDK reads
 * bodies with darabonba's reader, which never does. So every call's timer stayed armed for the
 * whole read timeout after its answer (10 s by default) and held the call's request, response and
 * closures (about 2.4 KB a call: 5,000 calls at 500 calls/s, issue 24's heap snapshots); and when
 * it fired it cleared `socket[READ_TIMER]`, by then the timer of a later call on the same
 * keep-alive socket, which so lost its read timeout. Cleared here once the body has been read (the
 * timer also bounds the body's read, so not before).
 */
let readTimerKey: symbol | null = null;

function callReadTimer(socket: object | null | undefined): NodeJS.Timeout | null {
  if (socket === null || socket === undefined) return null;
  readTimerKey ??= Object.getOwnPropertySymbols(socket).find((k) => k.description === 'TIMER::READ_TIMER') ?? null;
  if (readTimerKey === null) return null;
  const timer = (socket as Record<symbol, unknown>)[readTimerKey];
  return timer === null || timer === undefined ? null : timer as NodeJS.Timeout;
}

/** Clears this call's timer, and the socket's slot only while it still holds this call's timer. */
function disarm(socket: object | null | undefined, timer: NodeJS.Timeout | null): void {
  if (timer === null || readTimerKey === null) return;
  clearTimeout(timer);
  const slots = socket as Record<symbol, unknown> | null | undefined;
  if (slots?.[readTimerKey] === timer) slots[readTimerKey] = null;
}

let installed = false;

/** Wraps the SDK's JSON body reader once per process (see above). */
export function readResponseBodiesStrictly(): void {
  if (installed) return;
  installed = true;
  const Stream = sdkStream();
  Stream.readAsJSON = async (stream: Readable): Promise<unknown> => {
    const answer = stream as Readable & { statusCode?: number; headers?: Record<string, string | string[] | undefined>; socket?: object | null };
    const statusCode = typeof answer.statusCode === 'number' ? answer.statusCode : 200;
    const contentType = answer.headers?.['content-type'];
    // Taken now, while the socket is still this call's: once the body ends it may serve the next call.
    const readTimer = callReadTimer(answer.socket);
    let bytes: Uint8Array;
    try {
      bytes = await Stream.readAsBytes(stream);
    } finally {
      disarm(answer.socket, readTimer);
    }
    const decoded = decodeBody(bytes);
    if ('invalidAt' in decoded) {
      const unparsed = describeUnparsedBody(statusCode, typeof contentType === 'string' ? contentType : undefined, '');
      if (unparsed !== null && !unparsed.permanent) throw unparsed;
      throw new UnreadableResponseError('MalformedResponse',
        `the answer (HTTP ${statusCode}) is not valid UTF-8 (byte ${decoded.invalidAt} of ${bytes.length}); nothing of it is used`, statusCode, true);
    }
    try {
      return JSON.parse(decoded.text) as unknown;
    } catch (err) {
      throw describeUnparsedBody(statusCode, typeof contentType === 'string' ? contentType : undefined, decoded.text) ?? err;
    }
  };
}
