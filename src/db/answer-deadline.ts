/**
 * The one Postgres wait postgres.js 4.2.0 leaves unbounded: a statement used for the first time is
 * sent as Parse + Describe and waits for the description before it runs; when query_timeout fires
 * in that phase the driver only marks the query halted and waits for the server's answer, with no
 * cancel and no timer. On a network path that went silent (packets dropped, nothing refused or
 * closed) that answer never comes: the worker's region stood still, logging nothing, until the
 * path came back (reproduced with test/helpers/silent-proxy.ts: 90 s and counting).
 *
 * So every connection gets a deadline for an answer: once something has been written to the
 * server and nothing has been read back for `ms`, the socket is destroyed with ETIMEDOUT; the
 * driver fails that connection's queries (a lost connection: transient, retried) and opens a new
 * one when next asked. `ms` is longer than query_timeout + cancel_timeout, so a slow statement is
 * still ended by the driver's own cancel (whose error is an answer) before this fires. An idle
 * connection is never closed by it: nothing is awaited.
 *
 * TLS is negotiated here too, not by the driver: postgres.js upgrades the socket it is given with
 * a TLS layer that reads and writes beneath that socket's JavaScript side, so a deadline watching
 * the plain socket saw nothing after the handshake and never fired (a TLS path silent for 60 s was
 * waited out whole). The driver skips its own negotiation for a socket marked `negotiated` (as it
 * does for its Cloudflare sockets); this one sends the SSLRequest (or, with
 * `sslnegotiation=direct`, starts TLS at once with ALPN `postgresql`), checks the certificate with
 * the driver's own settings (sslmode, sslrootcert, PGSSLROOTCERT: libpq's meanings) and watches the
 * TLS socket, whose writes and reads are the statements and their answers.
 */
import { connect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, type ConnectionOptions, type SecureContext } from 'node:tls';

/** What this reads of postgres.js's parsed options (the `options` its `socket` hook is called with). */
export interface DriverSocketOptions {
  path?: string | undefined;
  /** `false`, a libpq sslmode (`require`, `verify-full`, ...), `true`, or TLS options with the files read (`ca`, `cert`, `key`). */
  ssl?: unknown;
  sslnegotiation?: string | null | undefined;
  /** Seconds; the driver's own connect timeout cannot end a socket still being set up here, so this does. */
  connect_timeout?: number | undefined;
}

export type SocketFactory = (options: DriverSocketOptions, host: string, port: number) => Promise<Socket>;

/** A postgres.js `socket` option: TCP (or a Unix socket), TLS when asked for, whose unanswered writes are bounded by `ms`. */
export function answerDeadlineSocket(ms: number): SocketFactory {
  return async (options, host, port) => {
    const raw = options.path ? connect({ path: options.path }) : connect({ host, port });
    // Until the socket is handed over, a server that accepts and never answers (the SSLRequest, the
    // TLS handshake) is bounded here: the driver's timer fires but has nothing to close yet.
    const limit = (options.connect_timeout ?? 0) > 0
      ? setTimeout(() => raw.destroy(Object.assign(new Error(`no answer from PostgreSQL within ${options.connect_timeout} s while connecting`), { code: 'CONNECT_TIMEOUT' })), (options.connect_timeout ?? 0) * 1000).unref()
      : null;
    try {
      await settled(raw, 'connect');
      raw.setNoDelay(true);
      const socket = secured(options) ? await negotiate(raw, options, host) : raw;
      watchAnswers(socket, ms);
      return socket;
    } catch (error) {
      raw.destroy();
      throw error;
    } finally {
      if (limit !== null) clearTimeout(limit);
    }
  };
}

/** postgres.js's rule: TLS unless `ssl` is unset or `disable`. */
function secured(options: DriverSocketOptions): boolean {
  return Boolean(options.ssl) && options.ssl !== 'disable';
}

async function negotiate(raw: Socket, options: DriverSocketOptions, host: string): Promise<Socket> {
  const tls = tlsOptions(options.ssl);
  if (options.sslnegotiation === 'direct') return upgrade(raw, host, { ...tls, ALPNProtocols: ['postgresql'] });
  // SSLRequest: length 8, code 80877103; the server answers one byte, S or N.
  const request = Buffer.alloc(8);
  request.writeInt32BE(8, 0);
  request.writeInt32BE(80877103, 4);
  const reply = await new Promise<number | undefined>((resolve, reject) => {
    const closed = () => fail(Object.assign(new Error('the server closed the connection during the SSLRequest'), { code: 'CONNECTION_CLOSED' }));
    const done = () => { raw.off('data', data); raw.off('error', fail); raw.off('close', closed); };
    const data = (chunk: Buffer) => { done(); resolve(chunk[0]); };
    const fail = (error: Error) => { done(); reject(error); };
    raw.on('data', data);
    raw.on('error', fail);
    raw.on('close', closed);
    raw.write(request);
  });
  if (reply === 0x53 /* S */) return upgrade(raw, host, tls);
  if (options.ssl === 'prefer' || options.ssl === 'allow') return Object.assign(raw, { negotiated: true });
  throw Object.assign(new Error('SSL_NOT_SUPPORTED: The server does not support SSL connections'), { code: 'SSL_NOT_SUPPORTED' });
}

async function upgrade(raw: Socket, host: string, tls: ConnectionOptions): Promise<Socket> {
  const secure = tlsConnect({ socket: raw, host: host || undefined, servername: isIP(host || '') ? undefined : host, ...tls } as ConnectionOptions);
  await settled(secure, 'secureConnect');
  // postgres.js negotiates nothing more on a socket marked so.
  return Object.assign(secure, { negotiated: true });
}

/** postgres.js's TLS options for its `ssl` setting (src/socket.js, secureOptions). */
function tlsOptions(ssl: unknown): ConnectionOptions {
  if (ssl === 'require' || ssl === 'allow' || ssl === 'prefer') return { rejectUnauthorized: false };
  if (typeof ssl === 'object' && ssl !== null) return withContext(ssl as ConnectionOptions);
  return {};
}

const contexts = new WeakMap<object, SecureContext>();

/** The CA's secure context is built once per setting, not at each connection (as the driver does). */
function withContext(ssl: ConnectionOptions): ConnectionOptions {
  if (ssl.secureContext || !ssl.ca) return ssl;
  let context = contexts.get(ssl);
  if (!context) contexts.set(ssl, context = createSecureContext(ssl));
  return { ...ssl, secureContext: context };
}

function settled(socket: Socket, event: 'connect' | 'secureConnect'): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => { socket.off(event, ok); reject(error); };
    const ok = () => { socket.off('error', fail); resolve(); };
    socket.once(event, ok);
    socket.once('error', fail);
  });
}

function watchAnswers(socket: Socket, ms: number): void {
  /** When the oldest write not yet followed by any read was made; null when nothing is awaited. */
  let awaitingSince: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  const check = (): void => {
    timer = null;
    if (awaitingSince === null || socket.destroyed) return;
    const waited = Date.now() - awaitingSince;
    if (waited < ms) {
      timer = setTimeout(check, ms - waited).unref();
      return;
    }
    const error = Object.assign(new Error(`no answer from PostgreSQL within ${ms / 1000} s (the network path may have gone silent)`), { code: 'ETIMEDOUT' });
    socket.destroy(error);
  };
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((...args: unknown[]) => {
    if (awaitingSince === null) {
      awaitingSince = Date.now();
      timer ??= setTimeout(check, ms).unref();
    }
    return write(...args);
  }) as Socket['write'];
  socket.on('data', () => { awaitingSince = null; });
  socket.once('close', () => {
    if (timer !== null) clearTimeout(timer);
    awaitingSince = null;
  });
}
