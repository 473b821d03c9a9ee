/**
 * A command that failed has said why, in one line; nothing it left open may then keep the process
 * running. A Postgres or Redis that accepts connections and never answers leaves sockets and driver
 * timers behind (ioredis half-closes its socket and waits out its 20 s socket timeout; postgres.js
 * gives a connection still in its handshake up to 5 s to end), which kept commands running 5-10 s
 * past the "no answer within 10000 ms" they had printed (issue 22 #9). Only failures: a command
 * that succeeded and still has something open (a server it was asked to run) keeps running.
 */
export const EXIT_GRACE_MS = 500;

/** After a failed command: exit with `code` once `graceMs` has passed, unless the process ended by itself first. */
export function exitSoonAfterFailure(code: number, graceMs = EXIT_GRACE_MS): void {
  if (code === 0) return;
  // unref: a process with nothing left open exits at once, as before; the timer only cuts what lingers.
  setTimeout(() => process.exit(code), graceMs).unref();
}
