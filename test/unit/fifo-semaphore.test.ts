import { describe, expect, it } from 'vitest';
import { FifoSemaphore, type Release } from '../../src/domain/fifo-semaphore.js';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('FifoSemaphore', () => {
  it('holds at most its size, serves waiters in arrival order, and a release twice frees one permit', async () => {
    const s = new FifoSemaphore(2);
    const a = await s.acquire();
    await s.acquire();
    const order: number[] = [];
    const waiting = [1, 2, 3].map((n) => s.acquire().then((release) => { order.push(n); return release; }));
    await flush();
    expect(s.usage()).toEqual({ active: 2, waiting: 3 });
    a();
    a();
    await flush();
    expect(order).toEqual([1]);
    expect(s.usage()).toEqual({ active: 2, waiting: 2 });
    ((await waiting[0]) as Release)();
    await flush();
    expect(order).toEqual([1, 2]);
  });

  it('a waiter whose time ran out fails with its error, takes no permit, and is skipped', async () => {
    const s = new FifoSemaphore(1);
    const held = await s.acquire();
    const late = s.acquire({ ms: 20, error: () => new Error('too long') });
    const next = s.acquire();
    await expect(late).rejects.toThrow('too long');
    expect(s.usage()).toEqual({ active: 1, waiting: 1 });
    held();
    const release = await next;
    expect(s.usage()).toEqual({ active: 1, waiting: 0 });
    release();
    expect(s.usage()).toEqual({ active: 0, waiting: 0 });
  });

  it('a newcomer does not pass a waiter when a permit frees', async () => {
    const s = new FifoSemaphore(1);
    const held = await s.acquire();
    const order: string[] = [];
    const first = s.acquire().then((r) => { order.push('waiter'); return r; });
    held();
    const second = s.acquire().then((r) => { order.push('newcomer'); return r; });
    (await first)();
    (await second)();
    expect(order).toEqual(['waiter', 'newcomer']);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new FifoSemaphore(0)).toThrow(RangeError);
    expect(() => new FifoSemaphore(1.5)).toThrow(RangeError);
  });
});

describe('FifoSemaphore under a wait that never empties', () => {
  it('serves 5,000 waiters in order while new ones keep arriving, and keeps only the waiting ones', async () => {
    const s = new FifoSemaphore(1);
    let release = await s.acquire();
    const served: number[] = [];
    let next = 0;
    const waitOne = (): void => { const n = next++; void s.acquire().then((r) => { served.push(n); release = r; }); };
    for (let i = 0; i < 3; i++) waitOne();
    for (let i = 0; i < 5000; i++) {
      waitOne();
      release();
      await Promise.resolve();
      await Promise.resolve();
    }
    expect(served).toEqual(Array.from({ length: served.length }, (_, i) => i));
    expect(served.length).toBeGreaterThanOrEqual(4990);
    expect(s.usage()).toEqual({ active: 1, waiting: next - served.length });
    expect((s as unknown as { queue: unknown[] }).queue.length).toBeLessThan(2100);
  });
});
