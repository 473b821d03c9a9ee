import { describe, expect, it } from 'vitest';
import { settleBounded } from '../../src/domain/settle-bounded.js';

describe('settleBounded', () => {
  it('never has more than `limit` calls in flight, and answers in the order of the items', async () => {
    let inFlight = 0;
    let peak = 0;
    const gates: Array<() => void> = [];
    const run = settleBounded([0, 1, 2, 3, 4, 5, 6], 3, async (n) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise<void>((resolve) => gates.push(resolve));
      inFlight -= 1;
      if (n === 4) throw new Error('four');
      return n * 10;
    });
    // Release the calls one by one, latest first, so completion order differs from item order.
    while (gates.length > 0 || inFlight > 0) {
      await new Promise((r) => setImmediate(r));
      gates.pop()?.();
    }
    const results = await run;
    expect(peak).toBe(3);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([0, 10, 20, 30, 'four', 50, 60]);
  });

  it('handles no items and refuses a limit below one', async () => {
    expect(await settleBounded([], 4, async () => 1)).toEqual([]);
    await expect(settleBounded([1], 0, async () => 1)).rejects.toThrow(RangeError);
  });
});
