import { describe, expect, it } from 'vitest';
import { budgetWindow } from '../../src/worker/account-rate-limit.js';
import { summarizeCalls } from '../../src/worker/call-tally.js';
import { RegionSlots, type ReleaseSlot } from '../../src/sync/region-slots.js';
import { withJitter } from '../../src/worker/jitter.js';
import { isHashTagPrefix, ownKey } from '../../src/worker/queue-names.js';
import { accountJobId, regionJobId, runIdForJob } from '../../src/worker/run-id.js';
import { sameSchedule } from '../../src/worker/schedule.js';
import { decideLostRuns } from '../../src/worker/lost-runs.js';

describe('worker pure helpers', () => {
  it('shares region slots fairly: a freed slot goes to the job holding the fewest, a lone job gets them all', async () => {
    const slots = new RegionSlots(3);
    const granted: string[] = [];
    const releases: ReleaseSlot[] = [];
    const take = (owner: string) => slots.acquire(owner).then((release) => { granted.push(owner); releases.push(release); });
    // Job a asks for five regions first, then b and c ask for two each.
    const all = [...['a', 'a', 'a', 'a', 'a', 'b', 'b', 'c', 'c'].map(take)];
    await new Promise((r) => setImmediate(r));
    expect(granted).toEqual(['a', 'a', 'a']);
    expect(slots.usage()).toMatchObject({ active: 3, waiting: 6 });
    // Slots are freed in the order granted; each goes to whoever holds fewest then (earliest ask among equals):
    // a3 -> b gets it (a2 b1), a -> c (a1 b1 c1), a -> a (a0: fewest), b -> b, c -> c, a -> a.
    for (let i = 0; i < 6; i++) {
      (releases.shift() as ReleaseSlot)();
      await new Promise((r) => setImmediate(r));
    }
    expect(granted.slice(3)).toEqual(['b', 'c', 'a', 'b', 'c', 'a']);
    // Releasing twice frees one slot only.
    const extra = releases.shift() as ReleaseSlot;
    extra();
    extra();
    expect(slots.usage().active).toBe(2);
    for (const r of releases.splice(0)) r();
    await Promise.all(all);
    expect(slots.usage()).toMatchObject({ active: 0, waiting: 0 });
    expect(() => new RegionSlots(0)).toThrow(RangeError);
  });

  it('region slots match a scan for the fewest-held owner on every grant, over a long random run', async () => {
    // The reference is the old linear rule: among waiting requests, fewest held by their owner, then earliest.
    let x = 12345;
    const rand = (n: number): number => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return (x >>> 16) % n; };
    const slots = new RegionSlots(4);
    const waiting: Array<{ owner: string; seq: number }> = [];
    const held = new Map<string, number>();
    const live: Array<{ owner: string; release: ReleaseSlot }> = [];
    let seq = 0;
    let mismatches = 0;
    let grants = 0;
    for (let step = 0; step < 3000; step++) {
      if (live.length > 0 && rand(2) === 0) {
        const [g] = live.splice(rand(live.length), 1) as [{ owner: string; release: ReleaseSlot }];
        held.set(g.owner, (held.get(g.owner) ?? 0) - 1);
        g.release();
      } else {
        const owner = `o${rand(7)}`;
        const mine = { owner, seq: seq++ };
        waiting.push(mine);
        void slots.acquire(owner).then((release) => { live.push({ owner, release }); });
      }
      // Expected grants, in order, while a slot is free: the old scan.
      const expected: string[] = [];
      while (live.length + expected.length < 4 && waiting.length > 0) {
        let best = 0;
        for (let i = 1; i < waiting.length; i++) {
          const w = waiting[i] as { owner: string; seq: number };
          const b = waiting[best] as { owner: string; seq: number };
          const wh = held.get(w.owner) ?? 0;
          const bh = held.get(b.owner) ?? 0;
          if (wh < bh || (wh === bh && w.seq < b.seq)) best = i;
        }
        const [w] = waiting.splice(best, 1) as [{ owner: string; seq: number }];
        held.set(w.owner, (held.get(w.owner) ?? 0) + 1);
        expected.push(w.owner);
      }
      const before = live.length;
      await new Promise((r) => setImmediate(r));
      const got = live.slice(before).map((g) => g.owner);
      grants += got.length;
      if (got.join() !== expected.join()) mismatches++;
      expect(slots.usage()).toMatchObject({ active: live.length, waiting: waiting.length });
    }
    expect(grants).toBeGreaterThan(500);
    expect(mismatches).toBe(0);
  });

  it('turns a calls-per-second budget into whole-second windows', () => {
    expect(budgetWindow(5)).toEqual({ points: 5, duration: 1 });
    expect(budgetWindow(0.5)).toEqual({ points: 1, duration: 2 });
    expect(budgetWindow(0.3)).toEqual({ points: 1, duration: 4 });
    expect(budgetWindow(2.5)).toEqual({ points: 2, duration: 1 });
    expect(() => budgetWindow(0)).toThrow(/callsPerSecond/);
  });

  it('derives a stable UUID-shaped run id from the plan job id, distinct per prefix and job', () => {
    const id = runIdForJob('swas', 'repeat:sync-schedule:1700000000000');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(runIdForJob('swas', 'repeat:sync-schedule:1700000000000')).toBe(id);
    expect(runIdForJob('other', 'repeat:sync-schedule:1700000000000')).not.toBe(id);
    expect(runIdForJob('swas', 'repeat:sync-schedule:1700000900000')).not.toBe(id);
    expect(regionJobId(id, 'prod.eu', 'cn-hangzhou')).not.toContain(':');
    expect(accountJobId(id, 'prod.eu')).not.toContain(':');
  });

  it('compares a stored scheduler with the wanted one', () => {
    expect(sameSchedule({ pattern: '*/15 * * * *', tz: 'UTC' }, { pattern: '*/15 * * * *', tz: 'UTC' })).toBe(true);
    expect(sameSchedule({ pattern: '*/15 * * * *' }, { pattern: '*/15 * * * *', tz: 'UTC' })).toBe(true);
    expect(sameSchedule({ pattern: '*/15 * * * *', tz: 'UTC' }, { pattern: '*/15 * * * *', tz: 'Asia/Shanghai' })).toBe(false);
    expect(sameSchedule({ pattern: '*/15 * * * *', tz: 'UTC' }, { every: 1000 })).toBe(false);
    expect(sameSchedule({ every: '1000' }, { every: 1000 })).toBe(true);
  });

  it('counts API calls per action and code, the failed one last', () => {
    expect(summarizeCalls('ListCustomImages', 3, null)).toEqual([{ action: 'ListCustomImages', code: 'OK', count: 3 }]);
    expect(summarizeCalls('ListCustomImages', 3, 'Throttling.User')).toEqual([
      { action: 'ListCustomImages', code: 'OK', count: 2 }, { action: 'ListCustomImages', code: 'Throttling.User', count: 1 },
    ]);
    expect(summarizeCalls('ListRegions', 1, 'InvalidAccessKeyId.NotFound')).toEqual([{ action: 'ListRegions', code: 'InvalidAccessKeyId.NotFound', count: 1 }]);
    // A failure before any call (Postgres away) counts no call.
    expect(summarizeCalls('ListCustomImages', 0, 'ECONNREFUSED')).toEqual([]);
  });

  it('stretches delays by jitter within bounds', () => {
    expect(withJitter(1000, 0.2, () => 0)).toBe(1000);
    expect(withJitter(1000, 0.2, () => 0.999)).toBe(1200);
  });

  it('recognises Redis Cluster hash-tag prefixes and keeps our keys under the prefix', () => {
    expect(isHashTagPrefix('{swas}')).toBe(true);
    expect(isHashTagPrefix('swas')).toBe(false);
    expect(isHashTagPrefix('{}')).toBe(false);
    expect(ownKey('{swas}', 'claim', 'prod', 'cn-hangzhou')).toBe('{swas}:swas-inventory:claim:prod:cn-hangzhou');
  });
});

describe('Redis eviction policy (pure)', () => {
  it('reads maxmemory_policy from INFO memory and accepts only noeviction', async () => {
    const { parseMaxmemoryPolicy, evictionPolicyProblem } = await import('../../src/worker/redis-eviction-policy.js');
    const info = '# Memory\r\nused_memory:1\r\nmaxmemory:0\r\nmaxmemory_policy:allkeys-lru\r\nallocator_frag_ratio:1.0\r\n';
    expect(parseMaxmemoryPolicy(info)).toBe('allkeys-lru');
    expect(parseMaxmemoryPolicy('# Memory\r\nused_memory:1\r\n')).toBeNull();
    expect(evictionPolicyProblem('noeviction')).toBeNull();
    for (const p of ['allkeys-lru', 'volatile-lru', 'allkeys-random', 'volatile-ttl', 'allkeys-lfu', 'volatile-lfu']) {
      expect(evictionPolicyProblem(p)).toContain(`"${p}"`);
    }
    expect(evictionPolicyProblem(null)).toMatch(/could not read/);
  });

  it('lost job data is named as such, field by field', async () => {
    const { requireJobData, MissingJobDataError } = await import('../../src/worker/job-data.js');
    const job = { id: '7', queueName: 'regions', data: { runId: 'r', regionId: 'cn-hangzhou' } };
    expect(() => requireJobData('region', job)).toThrow(MissingJobDataError);
    expect(() => requireJobData('region', job)).toThrow(/job regions\/7 has no usable data \(missing account, endpoint\)/);
    expect(() => requireJobData('finish', { queueName: 'runs', data: {} })).toThrow(/missing runId, regions/);
    expect(requireJobData('plan', { queueName: 'runs', data: { trigger: 'schedule' } })).toEqual({ trigger: 'schedule' });
  });
});

describe('decideLostRuns (runs whose jobs Redis lost)', () => {
  it('closes a run only once it has been without any job for the grace period; a live one is never a suspect', () => {
    const first = decideLostRuns(['a', 'b'], new Set(['b']), new Map(), 1_000, 500);
    expect(first).toEqual({ close: [], watch: new Map([['a', 1_000]]) });
    const early = decideLostRuns(['a', 'b'], new Set(), first.watch, 1_400, 500);
    expect(early).toEqual({ close: [], watch: new Map([['a', 1_000], ['b', 1_400]]) });
    const due = decideLostRuns(['a', 'b'], new Set(), early.watch, 1_500, 500);
    expect(due).toEqual({ close: ['a'], watch: new Map([['b', 1_400]]) });
    // A suspect whose job shows up again (a re-run plan) is forgotten, and starts over if it goes again.
    expect(decideLostRuns(['b'], new Set(['b']), due.watch, 2_000, 500)).toEqual({ close: [], watch: new Map() });
  });
});
