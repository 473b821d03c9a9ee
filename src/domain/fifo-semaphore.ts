/**
 * At most `size` holders at once; waiters are served first come, first served. What the
 * transaction gate (db/transaction-gate.ts) and the write permits of region admission
 * (sync/region-admission.ts) both need. A grant passes straight from a releasing holder to the
 * next waiter, and a waiter that gave up (its time ran out) is skipped when its turn comes, so
 * every operation is O(1). Pure bookkeeping, no I/O.
 */

/** Gives the permit back; calling it again does nothing. */
export type Release = () => void;

interface Waiter {
  grant: () => void;
  /** Gave up waiting: skipped when its turn comes. */
  gone: boolean;
}

export class FifoSemaphore {
  private active = 0;
  private waiters = 0;
  /** Waiters in arrival order; `head` is the next to serve (no Array.shift). */
  private queue: Waiter[] = [];
  private head = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a semaphore's size must be a positive integer, got ${size}`);
  }

  /**
   * Resolves with a release once a permit is free. With `timeout`, a wait longer than `timeout.ms`
   * rejects with `timeout.error()` instead (and takes no permit).
   */
  acquire(timeout?: { ms: number; error: () => Error }): Promise<Release> {
    if (this.active < this.size && this.waiters === 0) {
      this.active++;
      return Promise.resolve(this.release());
    }
    return new Promise<Release>((resolve, reject) => {
      const timer = timeout === undefined ? null : setTimeout(() => {
        waiter.gone = true;
        this.waiters--;
        reject(timeout.error());
      }, timeout.ms);
      const waiter: Waiter = {
        gone: false,
        grant: () => {
          if (timer !== null) clearTimeout(timer);
          resolve(this.release());
        },
      };
      this.queue.push(waiter);
      this.waiters++;
    });
  }

  /** Permits held and waiters (tests, metrics). */
  usage(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiters };
  }

  private release(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.next();
      // The permit passes straight to the next waiter: `active` stays as it is.
      if (next !== undefined) next.grant();
      else this.active--;
    };
  }

  private next(): Waiter | undefined {
    while (this.head < this.queue.length) {
      const waiter = this.queue[this.head] as Waiter;
      this.head++;
      if (this.head === this.queue.length) { this.queue = []; this.head = 0; }
      // Under a wait that never empties (a whole run's writes) the served prefix is dropped now and
      // then, so the array holds the waiters, not every one there ever was: amortized O(1).
      else if (this.head >= 1024 && this.head * 2 >= this.queue.length) { this.queue = this.queue.slice(this.head); this.head = 0; }
      if (!waiter.gone) {
        this.waiters--;
        return waiter;
      }
    }
    return undefined;
  }
}
