import { describe, expect, it } from 'vitest';
import { LabelBound } from '../../src/ops/label-bound.js';
import { redisErrorCode } from '../../src/worker/metric-readings.js';

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

describe('redisErrorCode', () => {
  it('takes the socket code, else the reply\'s first word, else the class name', () => {
    expect(redisErrorCode(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(redisErrorCode(new Error("READONLY You can't write against a read only replica."))).toBe('READONLY');
    expect(redisErrorCode(new Error('OOM command not allowed when used memory > maxmemory'))).toBe('OOM');
    expect(redisErrorCode(Object.assign(new Error('Connection is closed.'), { name: 'MaxRetriesPerRequestError' }))).toBe('MaxRetriesPerRequestError');
    expect(redisErrorCode(new Error('something else'))).toBe('unknown');
  });
});
