/**
 * At most `limit` held transactions (held-transaction.ts) at once on one Postgres pool, so the
 * pool always keeps connections for the short statements the hot path batches (a listing's clock
 * stamp, unchanged regions' records) and the run's bookkeeping.
 *
 * Why: a listing's clock is read in its call slot, right before its first request. When every
 * connection was held by regions writing their transactions (a cold fill writes slower than it
 * lists), the clock waited for one of them to commit: 0.5 s a region at 200 accounts cold, 64
 * slots and 20 connections, and in the worker's throttling test a call went out 270 ms after its
 * pause check, inside another call's retry-after. Transactions wait here instead, holding nothing
 * (a region's transaction is opened after its listing, or mid-listing for a large one, which
 * waits in its slot as it would for a connection).
 *
 * FIFO; pure bookkeeping, no I/O. A database without a gate (PGlite: one connection that
 * serializes everything anyway) is not limited.
 */
import type { Db } from './database.js';

interface Gate {
  limit: number;
  active: number;
  waiting: Array<() => void>;
}

const gates = new WeakMap<Db, Gate>();

/** Limits `db`'s held transactions to `limit` at once (at least 1). */
export function limitHeldTransactions(db: Db, limit: number): void {
  gates.set(db, { limit: Math.max(1, Math.floor(limit)), active: 0, waiting: [] });
}

/** Waits for a turn to hold a transaction on `db`; resolves with its release (idempotent). */
export async function heldTransactionTurn(db: Db): Promise<() => void> {
  const gate = gates.get(db);
  if (gate === undefined) return () => {};
  if (gate.active < gate.limit) gate.active++;
  else await new Promise<void>((resolve) => gate.waiting.push(resolve));
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const next = gate.waiting.shift();
    // The turn passes straight to the next waiter: `active` stays as it is.
    if (next !== undefined) next();
    else gate.active--;
  };
}

/** Held transactions now and waiting (tests, metrics). */
export function heldTransactionUsage(db: Db): { active: number; waiting: number; limit: number } | null {
  const gate = gates.get(db);
  return gate === undefined ? null : { active: gate.active, waiting: gate.waiting.length, limit: gate.limit };
}
