/**
 * When a region's listing may start: first one call of its account's budget, holding nothing,
 * then one of the process's slots (a call in flight). Shared by the one-shot `sync` and the worker.
 *
 * Why this order: a region that took its slot first would sit out its account's budget window
 * inside it, so a fleet moved at (slots x one account's budget) instead of at the sum of its
 * accounts' budgets. Budget first, a slot only goes to a region that can call at once.
 *
 * Why one region per account between its token and its slot: an account's regions are admitted
 * in turn (a chain per account), so at most one token of an account is ever taken ahead of its
 * call; calls never bunch past the account's rate however long the slots are busy, and an
 * account's waiters cost one budget waiter (the limiter's queue polls once per window), not one
 * per region. Accounts do not wait for each other; the slots go to the account holding the
 * fewest (region-slots.ts), so no account starves.
 *
 * The token is spent by the listing's first call: `paid()` runs the listing with that call
 * already paid (later pages of a long listing take their own tokens as they go).
 *
 * Why a slot ends with the listing, not with the write, for a region that is likely unchanged: a
 * slot is a call in flight. An unchanged region's record waits for the shared statement in flight
 * ahead of it and then for its own (statement-batcher.ts): 14-15 ms of the 135-138 ms a region
 * held its slot for a 100 ms call, measured at 200 accounts warm, where the emulator saw 47 of 64
 * calls in flight on average. So `listed()` hands the slot back once the last page has answered,
 * in exchange for one of as many write permits as there are slots (a changed region found out by
 * the record then writes holding the permit: writes stay bounded, and memory holds at most
 * slots + permits listings). A region that goes straight to the full path (a first sync, an
 * incomplete or large listing) keeps its slot to its end: a cold fill is bound by writing, so listing
 * ahead of its writes buys nothing but memory (the code that handed a cold region's slot back too
 * ran two alternating cold fills at 200 accounts under load 20-25% slower than the code before
 * it; other changes were in it, not separated).
 */
import { FifoSemaphore } from '../domain/fifo-semaphore.js';
import type { RegionSlots, ReleaseSlot } from './region-slots.js';

/** An account's call budget (the worker's Redis-shared limiter, or the same one in memory). */
export interface CallBudget {
  /** Waits until `account` may make one more call (its pause has passed, a token is taken). */
  acquire(account: string): Promise<void>;
  /** Runs `fn` with one call of `account` already paid: the first acquire() inside it takes no token. */
  withPaidCall<T>(account: string, fn: () => Promise<T>): Promise<T>;
}

export class RegionAdmission {
  /** Per account, the admission the next one waits behind (absent when none is pending). */
  private readonly turns = new Map<string, Promise<void>>();
  private waitingBudget = 0;
  private readonly accountsWaiting = new Set<string>();

  /** Regions writing after their listing ended (their slot handed back): as many as there are slots, FIFO. */
  private readonly writes: FifoSemaphore;

  /** `budget` null: no per-account budget (tests, callers that pace elsewhere): slots only. */
  constructor(readonly slots: RegionSlots, private readonly budget: CallBudget | null) {
    this.writes = new FifoSemaphore(slots.size);
  }

  /**
   * Resolves with the slot's release once a region of `account` may call, or null when `signal`
   * aborted first (a slot granted after that is given back at once; a token taken is left unused).
   * `owner` is who the slot is counted against for fairness (the account, or the worker's job).
   */
  admit(account: string, owner: string, signal?: AbortSignal): Promise<ReleaseSlot | null> {
    const before = this.turns.get(account) ?? Promise.resolve();
    const admitted = before.then(async (): Promise<ReleaseSlot | null> => {
      if (isAborted(signal)) return null;
      if (this.budget !== null) {
        this.waitingBudget++;
        this.accountsWaiting.add(account);
        try {
          await this.budget.acquire(account);
        } finally {
          this.waitingBudget--;
          this.accountsWaiting.delete(account);
        }
      }
      if (isAborted(signal)) return null;
      return this.slots.acquire(owner);
    });
    const turn = admitted.then(() => undefined, () => undefined);
    this.turns.set(account, turn);
    void turn.then(() => { if (this.turns.get(account) === turn) this.turns.delete(account); });
    return signal === undefined ? admitted : abortable(admitted, signal);
  }

  /**
   * An admitted region's listing ended and only its write is left: once a write permit is free,
   * its slot (`release`) goes back, and the permit's release is returned (call it when the write
   * ended; the caller still calls `release` too, which is then a no-op). Called only before the
   * unchanged record, when the region has written nothing and holds no transaction (a region that
   * holds one keeps its slot: it goes straight to the full path), so waiting for a permit holds
   * no connection another region could be waiting for.
   */
  async listed(release: ReleaseSlot): Promise<ReleaseSlot> {
    const permit = await this.writes.acquire();
    release();
    return permit;
  }

  /** Runs an admitted region's listing: its first call spends the token admission took. */
  paid<T>(account: string, fn: () => Promise<T>): Promise<T> {
    return this.budget === null ? fn() : this.budget.withPaidCall(account, fn);
  }

  /** What is in flight and what waits, and for what (tests, metrics): no region waiting for its budget holds a slot. */
  usage(): { active: number; waitingSlot: number; waitingBudget: number; accountsWaitingBudget: ReadonlySet<string>; byOwner: ReadonlyMap<string, number>; writing: number } {
    const slots = this.slots.usage();
    return { active: slots.active, waitingSlot: slots.waiting, waitingBudget: this.waitingBudget, accountsWaitingBudget: new Set(this.accountsWaiting), byOwner: slots.byOwner, writing: this.writes.usage().active };
  }
}

/** A function, not a property read: the signal may abort while this admission awaits. */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** Per signal, the admissions waiting on it: one listener each signal, not one per admission (a fleet has thousands). */
const waitersOf = new WeakMap<AbortSignal, Set<() => void>>();

/** `admitted`, or null as soon as `signal` aborts; a slot granted later is released at once. */
function abortable(admitted: Promise<ReleaseSlot | null>, signal: AbortSignal): Promise<ReleaseSlot | null> {
  return new Promise((resolve, reject) => {
    let waiters = waitersOf.get(signal);
    if (waiters === undefined) {
      const all = waiters = new Set();
      waitersOf.set(signal, all);
      signal.addEventListener('abort', () => { for (const wake of [...all]) wake(); all.clear(); }, { once: true });
    }
    const onAbort = (): void => resolve(null);
    waiters.add(onAbort);
    admitted.then((release) => {
      waiters.delete(onAbort);
      if (signal.aborted) {
        release?.();
        resolve(null);
      } else resolve(release);
    }, (error: unknown) => {
      waiters.delete(onAbort);
      reject(error);
    });
  });
}
