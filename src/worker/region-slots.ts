/**
 * The process's region slots: at most `size` regions are synced at once (each holds a database
 * connection for its write), shared fairly by the account jobs that run side by side.
 *
 * Why not a plain FIFO semaphore: an account job asks for all its regions at once, so the first
 * job would take every slot and the others would wait although each account has its own call
 * budget going unused. Here a freed slot goes to the waiting job that holds the fewest slots
 * (earliest request first among equals), so N account jobs share the slots about evenly and a
 * lone account still gets all of them. Pure bookkeeping, no I/O.
 */
export type ReleaseSlot = () => void;

interface Waiter {
  owner: string;
  seq: number;
  grant: (release: ReleaseSlot) => void;
}

export class RegionSlots {
  private active = 0;
  private readonly held = new Map<string, number>();
  private readonly waiting: Waiter[] = [];
  private seq = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`region slots must be a positive integer, got ${size}`);
  }

  /** Resolves with a release function once `owner` (an account job) may start one more region. */
  acquire(owner: string): Promise<ReleaseSlot> {
    return new Promise((grant) => {
      this.waiting.push({ owner, seq: this.seq++, grant });
      this.dispatch();
    });
  }

  /** Slots in use, and by whom (tests, metrics). */
  usage(): { active: number; waiting: number; byOwner: ReadonlyMap<string, number> } {
    return { active: this.active, waiting: this.waiting.length, byOwner: this.held };
  }

  private dispatch(): void {
    while (this.active < this.size && this.waiting.length > 0) {
      let best = 0;
      for (let i = 1; i < this.waiting.length; i++) {
        const w = this.waiting[i] as Waiter;
        const b = this.waiting[best] as Waiter;
        const wh = this.held.get(w.owner) ?? 0;
        const bh = this.held.get(b.owner) ?? 0;
        if (wh < bh || (wh === bh && w.seq < b.seq)) best = i;
      }
      const [next] = this.waiting.splice(best, 1) as [Waiter];
      this.active++;
      this.held.set(next.owner, (this.held.get(next.owner) ?? 0) + 1);
      let released = false;
      next.grant(() => {
        if (released) return;
        released = true;
        this.active--;
        const n = (this.held.get(next.owner) ?? 1) - 1;
        if (n === 0) this.held.delete(next.owner);
        else this.held.set(next.owner, n);
        this.dispatch();
      });
    }
  }
}
