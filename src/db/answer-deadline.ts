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
 * Plain TCP only: with TLS, postgres.js upgrades this socket and the TLS layer reads and writes
 * beneath it, so after the handshake this deadline sees nothing and never fires (the driver's
 * query and cancel timeouts still apply there, all but the describe phase above).
 */
import { connect, type Socket } from 'node:net';

export type SocketFactory = (options: { path?: string | undefined }, host: string, port: number) => Promise<Socket>;

/** A postgres.js `socket` option: plain TCP (or a Unix socket) whose unanswered writes are bounded by `ms`. */
export function answerDeadlineSocket(ms: number): SocketFactory {
  return (options, host, port) => new Promise<Socket>((resolve, reject) => {
    const socket = options.path ? connect({ path: options.path }) : connect({ host, port });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.setNoDelay(true);
      watchAnswers(socket, ms);
      resolve(socket);
    });
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
