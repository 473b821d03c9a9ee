import { describe, expect, it } from 'vitest';
import { ClockEstimate, MAX_ROUND_TRIP_MS } from '../../src/db/clock-estimate.js';

/** A server clock that runs `rate` times as fast as the local monotonic one, and a statement that reads it. */
function scene(rate: number) {
  let local = 1_000;
  const serverAt = (t: number): number => 1_700_000_000_000 + (t - 1_000) * rate;
  const estimate = new ClockEstimate(1000, () => local);
  /** A statement sent now, read by the server `readAfter` ms later, answered `roundTrip` ms after sending. */
  const read = (roundTrip: number, readAfter = roundTrip / 2): void => {
    const sentAt = local;
    estimate.observe(new Date(Math.floor(serverAt(sentAt + readAfter))), sentAt, sentAt + roundTrip);
    local += roundTrip;
  };
  return { estimate, read, serverNow: () => serverAt(local), advance: (ms: number) => { local += ms; } };
}

describe('ClockEstimate (the database clock without a round trip)', () => {
  it('is never later than the server clock, and lags it by at most the round trip, on clocks drifting 500 ppm either way', () => {
    for (const rate of [1, 1.0005, 0.9995]) {
      for (const readAfter of [0, 2.5, 5]) {
        const s = scene(rate);
        s.read(5, readAfter);
        for (let i = 0; i < 100; i++) {
          s.advance(9.7);
          const at = s.estimate.now();
          expect(at).not.toBeNull();
          const lag = s.serverNow() - (at as Date).getTime();
          expect(lag).toBeGreaterThanOrEqual(0);
          // The round trip, two whole-millisecond floors, and at most 1.5 ms of slow counting and drift over a second.
          expect(lag).toBeLessThanOrEqual(5 + 2 + 1.5);
        }
      }
    }
  });

  it('counts elapsed time slow enough that a server clock running 500 ppm slow is not overtaken', () => {
    const s = scene(0.9995);
    s.read(0, 0); // an exact reading: nothing but the counting can make the estimate run ahead
    for (let i = 0; i < 999; i++) {
      s.advance(1);
      expect(s.serverNow() - (s.estimate.now() as Date).getTime()).toBeGreaterThanOrEqual(0);
    }
  });

  it('gives no estimate before a reading, from a stale one, or from a reading whose round trip was too long', () => {
    const s = scene(1);
    expect(s.estimate.now()).toBeNull();
    s.read(MAX_ROUND_TRIP_MS + 1);
    expect(s.estimate.now()).toBeNull();
    s.read(2);
    expect(s.estimate.now()).not.toBeNull();
    s.advance(1001);
    expect(s.estimate.now()).toBeNull();
  });

  it('never goes backwards: a later reading that lags more, or a stamp read by statement, does not pull estimates back', () => {
    const s = scene(1);
    s.read(0.5, 0.5);
    s.advance(100);
    const before = (s.estimate.now() as Date).getTime();
    // Read at the start of a long (but usable) round trip: the estimate from it lags by about 19 ms.
    s.read(19, 0);
    const after = (s.estimate.now() as Date).getTime();
    expect(after).toBeGreaterThanOrEqual(before);
    const given = new Date(Math.floor(s.serverNow()));
    s.estimate.gave(given);
    expect((s.estimate.now() as Date).getTime()).toBeGreaterThanOrEqual(given.getTime());
  });
});
