import { describe, expect, it } from 'vitest';
import { LabelBound } from '../../src/ops/label-bound.js';
import { serviceErrorCode } from '../../src/worker/metric-readings.js';

describe('LabelBound: error codes as a bounded label', () => {
  it('keeps identifiers, turns anything else into `other`, and caps distinct values', () => {
    const bound = new LabelBound(3);
    expect(bound.value('Forbidden.RAM')).toBe('Forbidden.RAM');
    expect(bound.value('57P01')).toBe('57P01');
    expect(bound.value('relation "x" does not exist')).toBe('other');
    expect(bound.value(null)).toBe('none');
    expect(bound.value('ECONNRESET')).toBe('ECONNRESET');
    expect(bound.value('CONNECTION_CLOSED')).toBe('other'); // a fourth distinct value
    expect(bound.value('57P01')).toBe('57P01'); // values already seen stay
    expect(bound.value('x'.repeat(65))).toBe('other');
  });
});

describe('serviceErrorCode', () => {
  it('takes the socket code, else the reply\'s first word, else the class name', () => {
    expect(serviceErrorCode(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(serviceErrorCode(new Error("READONLY You can't write against a read only replica."))).toBe('READONLY');
    expect(serviceErrorCode(new Error('OOM command not allowed when used memory > maxmemory'))).toBe('OOM');
    expect(serviceErrorCode(Object.assign(new Error('Connection is closed.'), { name: 'MaxRetriesPerRequestError' }))).toBe('MaxRetriesPerRequestError');
    expect(serviceErrorCode(new Error('something else'))).toBe('unknown');
  });
});

describe('scrape-time readers', () => {
  it('a reader that does not answer in time leaves its gauges as they were, is reported once per scrape, and is not started again while pending', async () => {
    const { createMetrics } = await import('../../src/ops/metrics.js');
    let calls = 0;
    let hang = false;
    const reported: string[] = [];
    const metrics = createMetrics({
      defaultMetrics: false,
      readTimeoutMs: 50,
      redisPolicy: () => {
        calls++;
        return hang ? new Promise(() => undefined) : Promise.resolve({ policy: 'noeviction', safe: true });
      },
      onReadError: (reader, err) => reported.push(`${reader}: ${(err as { code?: string }).code}`),
    });
    expect(await metrics.registry.metrics()).toContain('swas_redis_eviction_policy_safe{policy="noeviction"} 1');
    await new Promise((r) => setTimeout(r, 150)); // the shared read is released 100 ms after it settles
    hang = true;
    const first = await metrics.registry.metrics();
    const second = await metrics.registry.metrics();
    expect(first).toContain('swas_redis_eviction_policy_safe{policy="noeviction"} 1');
    expect(second).toContain('swas_redis_eviction_policy_safe{policy="noeviction"} 1');
    expect(calls).toBe(2); // the hung read is shared, not repeated
    expect(reported).toEqual(['redis-policy: SCRAPE_TIMEOUT', 'redis-policy: SCRAPE_TIMEOUT']);
  });
});
