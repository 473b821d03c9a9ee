/**
 * The scale case reads how full the calls in flight were kept from the emulator's call log
 * (issue 24): mean calls in flight over the span from the first arrival to the last answer.
 */
import { describe, expect, it } from 'vitest';
import { callLogStats } from '../../bench/lib/call-log-stats.js';

const at = (ms: number): string => new Date(Date.UTC(2026, 11, 6, 12, 0, 0, ms)).toISOString();

describe('callLogStats', () => {
  it('counts the peak and the mean of calls in flight, and the span it read them over', () => {
    // Two calls side by side for 100 ms, then one alone for 100 ms: 300 call-ms over 200 ms.
    const stats = callLogStats([
      { time: at(0), durationMs: 100, accountUid: 'a' },
      { time: at(0), durationMs: 100, accountUid: 'b' },
      { time: at(100), durationMs: 100, accountUid: 'a' },
    ]);
    expect(stats).toMatchObject({ calls: 3, peakInFlight: 2, peakAccountsInFlight: 2, busiestAccountCalls: 2, callsPerSecond: 15 });
    expect(stats.meanInFlight).toBeCloseTo(1.5, 6);
    expect(stats.firstCallAt).toBe(Date.parse(at(0)));
    expect(stats.lastAnswerAt).toBe(Date.parse(at(200)));
  });

  it('an empty log has no span', () => {
    expect(callLogStats([])).toMatchObject({ calls: 0, meanInFlight: 0, firstCallAt: null, lastAnswerAt: null });
  });
});
