/**
 * The process's region slots: at most `size` regions are synced at once (each holds a database
 * connection for its write), shared fairly by the account jobs that run side by side.
 *
 * Why not a plain FIFO semaphore: an account job asks for all its regions at once, so the first
 * job would take every slot and the others would wait although each account has its own call
 * budget going unused. Here a freed slot goes to the waiting owner that holds the fewest slots
 * (earliest request first among equals), so N account jobs share the slots about evenly and a
 * lone account still gets all of them. Pure bookkeeping, no I/O.
 *
 * A grant costs O(log n) in the owners waiting: each waiting owner sits once in a binary heap
 * keyed by (slots held, seq of its oldest request). When either changes, the owner is pushed
 * again with a new stamp and its older entry is skipped when it surfaces (lazy deletion), so
 * nothing ever scans the waiting list.
 */
export type ReleaseSlot = () => void;

interface Owner {
  held: number;
  /** Grant callbacks in request order; `head` is the next to serve (no Array.shift). */
  queue: Array<{ seq: number; grant: (release: ReleaseSlot) => void }>;
  head: number;
  /** Renewed (from one counter, unique) whenever the owner's key changes: entries with another stamp are stale. */
  stamp: number;
}

interface Entry {
  name: string;
  held: number;
  seq: number;
  stamp: number;
}

export class RegionSlots {
  private active = 0;
  private waiting = 0;
  private seq = 0;
  private stamps = 0;
  private readonly owners = new Map<string, Owner>();
  private readonly heap: Entry[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`region slots must be a positive integer, got ${size}`);
  }

  /** Resolves with a release function once `owner` (an account job) may start one more region. */
  acquire(owner: string): Promise<ReleaseSlot> {
    return new Promise((grant) => {
      let o = this.owners.get(owner);
      if (o === undefined) this.owners.set(owner, o = { held: 0, queue: [], head: 0, stamp: 0 });
      o.queue.push({ seq: this.seq++, grant });
      this.waiting++;
      // Its first waiting request puts the owner in the heap; later ones queue behind it.
      if (o.queue.length - o.head === 1) this.enqueue(owner, o);
      this.dispatch();
    });
  }

  /** Slots in use, and by whom (tests, metrics). */
  usage(): { active: number; waiting: number; byOwner: ReadonlyMap<string, number> } {
    const byOwner = new Map<string, number>();
    for (const [name, o] of this.owners) if (o.held > 0) byOwner.set(name, o.held);
    return { active: this.active, waiting: this.waiting, byOwner };
  }

  private dispatch(): void {
    while (this.active < this.size && this.waiting > 0) {
      const entry = this.pop();
      const o = this.owners.get(entry.name);
      if (o === undefined || o.stamp !== entry.stamp || o.head === o.queue.length) continue; // stale
      const next = o.queue[o.head] as Owner['queue'][number];
      o.head++;
      if (o.head === o.queue.length) { o.queue.length = 0; o.head = 0; }
      this.waiting--;
      this.active++;
      o.held++;
      if (o.head < o.queue.length) this.enqueue(entry.name, o);
      else o.stamp = ++this.stamps;
      let released = false;
      next.grant(() => {
        if (released) return;
        released = true;
        this.active--;
        o.held--;
        if (o.head < o.queue.length) this.enqueue(entry.name, o);
        else if (o.held === 0) this.owners.delete(entry.name);
        this.dispatch();
      });
    }
  }

  /** (Re)files a waiting owner under its current key; any older entry of it becomes stale. */
  private enqueue(name: string, o: Owner): void {
    o.stamp = ++this.stamps;
    const entry: Entry = { name, held: o.held, seq: (o.queue[o.head] as Owner['queue'][number]).seq, stamp: o.stamp };
    const heap = this.heap;
    heap.push(entry);
    for (let i = heap.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Entry, heap[parent] as Entry)) break;
      [heap[i], heap[parent]] = [heap[parent] as Entry, heap[i] as Entry];
      i = parent;
    }
  }

  private pop(): Entry {
    const heap = this.heap;
    const top = heap[0] as Entry;
    const last = heap.pop() as Entry;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l] as Entry, heap[m] as Entry)) m = l;
        if (r < heap.length && before(heap[r] as Entry, heap[m] as Entry)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m] as Entry, heap[i] as Entry];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.held < b.held || (a.held === b.held && a.seq < b.seq);
}
