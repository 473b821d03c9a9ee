/**
 * The database's clock, read without a round trip: from the last reading a statement brought
 * back, plus the time this process's monotonic clock says has passed since it arrived.
 *
 * Why: a listing is stamped with the database's clock right before its first request, inside its
 * call slot. Read by a statement, the stamp took 5.6-11.4 ms of a 128-140 ms slot at 200 accounts
 * warm (issue 24); the batched statements that read it anyway (record-unchanged-region.ts) answer
 * every few milliseconds in a busy run, so the estimate is almost always fresh.
 *
 * What an estimate promises, and why that is what the stamp needs: it is never later than the
 * database's clock at the moment it is taken.
 * - The reading was taken by the server somewhere between sending and receiving, so it is dated
 *   to the receipt (`receivedAt`): the estimate can only lag, by at most the round trip.
 * - Elapsed time is counted 1,000 ppm slow, twice the most NTP ever slews a clock, so drift
 *   cannot carry the estimate past the server's clock either.
 * - A reading whose round trip took longer than MAX_ROUND_TRIP_MS is not used, and one older than
 *   `maxAgeMs` is not extrapolated from: then there is no estimate and the caller reads by
 *   statement. So an estimate lags the database's clock by at most about 20 ms, which is less than
 *   any listing takes. The fence (region-writer.ts) then still orders listings of one region as
 *   their requests were made: a listing that began after another one was written is stamped later.
 * - Estimates never go backwards (a newer reading with a longer round trip would lag more than an
 *   older one): each is at least the last one given, which was itself no later than the clock.
 *
 * Pure: the monotonic clock is passed in.
 */

/** Readings whose round trip took longer than this are not used (the estimate would lag as much). */
export const MAX_ROUND_TRIP_MS = 20;

/** Elapsed time is counted this much slow: 1,000 ppm, twice NTP's maximum slew of 500 ppm. */
const SLOW = 1e-3;

export class ClockEstimate {
  private base: { at: number; receivedAt: number } | null = null;
  private last = -Infinity;

  constructor(
    /** How long a reading is extrapolated from (ms of the monotonic clock). */
    private readonly maxAgeMs = 1000,
    /** A monotonic clock in milliseconds (performance.now). */
    private readonly monotonic: () => number = () => performance.now(),
  ) {}

  /** A reading `at` of the database's clock, by a statement sent at `sentAt` and answered at `receivedAt` (monotonic ms). */
  observe(at: Date, sentAt: number, receivedAt: number): void {
    if (receivedAt - sentAt > MAX_ROUND_TRIP_MS) return;
    if (this.base !== null && receivedAt < this.base.receivedAt) return;
    this.base = { at: at.getTime(), receivedAt };
  }

  /** An estimate of the database's clock now, never later than it; null when no recent reading allows one. */
  now(): Date | null {
    if (this.base === null) return null;
    const elapsed = this.monotonic() - this.base.receivedAt;
    if (elapsed < 0 || elapsed > this.maxAgeMs) return null;
    const estimate = Math.max(this.last, Math.floor(this.base.at + elapsed * (1 - SLOW)));
    this.last = estimate;
    return new Date(estimate);
  }

  /** A stamp read by statement was given out: later estimates are not earlier than it. */
  gave(at: Date): void {
    this.last = Math.max(this.last, at.getTime());
  }
}
