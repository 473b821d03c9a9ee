/**
 * At most `limit` held transactions (held-transaction.ts) at once on one Postgres pool (its size
 * minus three), so the pool always keeps connections for the short statements the hot path batches (a listing's clock
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
 * FIFO (domain/fifo-semaphore.ts); no I/O. A database without a gate (PGlite: one connection that
 * serializes everything anyway) is not limited.
 */
import type { Db } from './database.js';
import { QUERY_TIMEOUT_S } from './postgres-options.js';
import { FifoSemaphore, type Release } from '../domain/fifo-semaphore.js';

const gates = new WeakMap<Db, FifoSemaphore>();

/** Limits `db`'s held transactions to `limit` at once (at least 1). */
export function limitHeldTransactions(db: Db, limit: number): void {
  gates.set(db, new FifoSemaphore(Math.max(1, Math.floor(limit))));
}

/**
 * The wait for a turn, like a query's wait for a connection, is bounded by `query_timeout` (30 s):
 * on a silent network path the transactions ahead end at the answer deadline, but a turn then
 * handed on could wait again for a connection that cannot be made (the silent-path scenario saw
 * an attempt wait the whole 60 s silence). Past it the wait fails as the driver's QUEUE_TIMEOUT
 * does: a lost connection, which the caller's retry policy handles.
 */
export class TransactionTurnTimeoutError extends Error {
  override name = 'TransactionTurnTimeoutError';
  readonly code = 'QUEUE_TIMEOUT';
  constructor(ms: number) {
    super(`waited ${Math.round(ms / 1000)} s for a turn to hold a transaction: every connection of the pool stayed in use`);
  }
}

/** Waits for a turn to hold a transaction on `db`; resolves with its release (idempotent). */
export async function heldTransactionTurn(db: Db, timeoutMs = QUERY_TIMEOUT_S * 1000): Promise<Release> {
  const gate = gates.get(db);
  if (gate === undefined) return () => {};
  return gate.acquire({ ms: timeoutMs, error: () => new TransactionTurnTimeoutError(timeoutMs) });
}

/** Held transactions now and waiting (tests, metrics). */
export function heldTransactionUsage(db: Db): { active: number; waiting: number; limit: number } | null {
  const gate = gates.get(db);
  return gate === undefined ? null : { ...gate.usage(), limit: gate.size };
}
