/**
 * Remembers signature nonces for the replay window (15 minutes: UNVERIFIED in the reference,
 * its stated assumption). Entries arrive in time order, so expiry pops from the front of the
 * Map's insertion order. The cache is capped so a long benchmark cannot exhaust memory: past
 * the cap the oldest nonces are forgotten early (documented in docs/EMULATOR.md).
 */
export const NONCE_WINDOW_MS = 15 * 60 * 1000;

export class NonceCache {
  private readonly seen = new Map<string, number>();

  constructor(private readonly windowMs = NONCE_WINDOW_MS, private readonly maxEntries = 1_000_000) {}

  has(nonce: string, nowMs: number): boolean {
    this.expire(nowMs);
    return this.seen.has(nonce);
  }

  add(nonce: string, nowMs: number): void {
    this.seen.set(nonce, nowMs + this.windowMs);
    if (this.seen.size > this.maxEntries) {
      const oldest = this.seen.keys().next();
      if (!oldest.done) this.seen.delete(oldest.value);
    }
  }

  clear(): void {
    this.seen.clear();
  }

  get size(): number {
    return this.seen.size;
  }

  private expire(nowMs: number): void {
    for (const [nonce, expiresAt] of this.seen) {
      if (expiresAt > nowMs) break;
      this.seen.delete(nonce);
    }
  }
}
