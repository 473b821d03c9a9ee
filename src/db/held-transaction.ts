/**
 * A transaction opened now and finished later from outside drizzle's callback: the region
 * writer opens one only once it knows it must write (a changed region, or a listing too large to
 * hold), while the listing that feeds it is still running. `commit` or `rollback` ends it; a
 * statement error inside it surfaces where that statement was awaited, and `rollback` then ends
 * the (already aborted) transaction.
 */
import type { Db } from './database.js';
import { heldTransactionTurn } from './transaction-gate.js';

type Outcome = { ok: true } | { ok: false; error: unknown };

export class HeldTransaction {
  private constructor(
    readonly tx: Db,
    private readonly settle: (outcome: Outcome) => void,
    private readonly done: { promise: Promise<void> },
  ) {}

  /** Opens a transaction once `db`'s gate gives it a turn (transaction-gate.ts); the turn ends with it. */
  static async open(db: Db): Promise<HeldTransaction> {
    const release = await heldTransactionTurn(db);
    return new Promise((resolve, reject) => {
      let opened = false;
      const done: { promise: Promise<void> } = { promise: Promise.resolve() };
      done.promise = db.transaction(async (tx) => {
        const outcome = await new Promise<Outcome>((settle) => {
          opened = true;
          resolve(new HeldTransaction(tx, settle, done));
        });
        if (!outcome.ok) throw outcome.error;
      });
      void done.promise.then(release, release);
      // BEGIN itself failed (connection lost): nobody holds the transaction yet.
      done.promise.catch((error: unknown) => {
        if (!opened) reject(error);
      });
    });
  }

  async commit(): Promise<void> {
    this.settle({ ok: true });
    await this.done.promise;
  }

  /** Rolls back; the error that caused it is the caller's to rethrow. Never throws itself. */
  async rollback(error: unknown): Promise<void> {
    this.settle({ ok: false, error });
    await this.done.promise.catch(() => {});
  }
}
