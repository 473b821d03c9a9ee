import { describe, expect, it } from 'vitest';
import { FaultPlan, type CallContext } from '../../src/emulator/fault-plan.js';
import { NonceCache } from '../../src/emulator/nonce-cache.js';

const ctx = (over: Partial<CallContext> = {}): CallContext => ({
  accountUid: '1', accessKeyId: 'k1', action: 'ListCustomImages', region: 'cn-hangzhou', page: 1, nowMs: 0, ...over,
});

describe('FaultPlan (pure)', () => {
  it('random latency replays exactly under the same faultSeed', () => {
    const latencies = (seed: number) => {
      const plan = new FaultPlan(seed);
      plan.add({ kind: 'latency', minMs: 10, maxMs: 500 });
      return Array.from({ length: 20 }, () => plan.decide(ctx()).latencyMs);
    };
    const a = latencies(99);
    expect(latencies(99)).toEqual(a);
    expect(latencies(100)).not.toEqual(a);
    expect(a.every((ms) => ms >= 10 && ms <= 500)).toBe(true);
    expect(new Set(a).size).toBeGreaterThan(5);
  });

  it('adding a rule does not shift another rule\'s dice', () => {
    const pattern = (extra: boolean) => {
      const plan = new FaultPlan(5);
      plan.add({ kind: 'error', rate: 0.3, match: { region: 'cn-hangzhou' } });
      if (extra) plan.add({ kind: 'latency', minMs: 0, maxMs: 9 });
      return Array.from({ length: 30 }, () => (plan.decide(ctx()).terminal ? 'x' : '.')).join('');
    };
    expect(pattern(true)).toBe(pattern(false));
  });

  it('the first terminal fault wins, latency adds up, body faults accumulate', () => {
    const plan = new FaultPlan(1);
    plan.set([
      { kind: 'latency', ms: 5 }, { kind: 'latency', ms: 7 },
      { kind: 'throttle', retryAfterMs: 10 }, { kind: 'error' },
      { kind: 'oddTypes', variants: ['nulls'] }, { kind: 'badItem', mode: 'missingImageId' },
    ]);
    const d = plan.decide(ctx());
    expect(d.latencyMs).toBe(12);
    expect(d.terminal?.type === 'error' && d.terminal.error.code).toBe('Throttling.User');
    expect([...d.oddTypes]).toEqual(['nulls']);
    expect(d.badItems).toHaveLength(1);
    expect(d.fired).toHaveLength(6);
  });

  it('rate limit is per AccessKey with a fixed window and answers the time left', () => {
    const plan = new FaultPlan(1);
    plan.add({ kind: 'rateLimit', limit: 1, windowMs: 1000 });
    expect(plan.decide(ctx({ nowMs: 0 })).terminal).toBeUndefined();
    const limited = plan.decide(ctx({ nowMs: 400 })).terminal;
    expect(limited?.type === 'error' && limited.error.headers['x-acs-retry-after']).toBe('600');
    expect(plan.decide(ctx({ nowMs: 400, accessKeyId: 'k2' })).terminal).toBeUndefined();
    expect(plan.decide(ctx({ nowMs: 1000 })).terminal).toBeUndefined();
  });

  it('pageDrift only watches page k of ListCustomImages and fires once by default', () => {
    const plan = new FaultPlan(1);
    plan.add({ kind: 'pageDrift', afterPage: 2, mode: 'remove' });
    expect(plan.decide(ctx({ page: 1 })).drift).toBeUndefined();
    expect(plan.decide(ctx({ page: 2, action: 'ListRegions' })).drift).toBeUndefined();
    expect(plan.decide(ctx({ page: 2 })).drift).toBe('remove');
    expect(plan.decide(ctx({ page: 2 })).drift).toBeUndefined();
  });

  it('rejects unknown kinds and fields, and duplicate ids', () => {
    const plan = new FaultPlan(1);
    expect(() => plan.add({ kind: 'meteor' })).toThrow();
    expect(() => plan.add({ kind: 'error', colour: 'red' })).toThrow();
    expect(() => plan.add({ kind: 'error', rate: 2 })).toThrow();
    plan.add({ id: 'x', kind: 'error' });
    expect(() => plan.add({ id: 'x', kind: 'error' })).toThrow(/already exists/);
  });
});

describe('NonceCache', () => {
  it('remembers a nonce for the window, then forgets it', () => {
    const cache = new NonceCache(1000);
    cache.add('n1', 0);
    expect(cache.has('n1', 999)).toBe(true);
    expect(cache.has('n1', 1000)).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('stays bounded, forgetting the oldest first', () => {
    const cache = new NonceCache(1000, 3);
    for (const n of ['a', 'b', 'c', 'd']) cache.add(n, 0);
    expect(cache.size).toBe(3);
    expect(cache.has('a', 1)).toBe(false);
    expect(cache.has('d', 1)).toBe(true);
  });
});
