import { describe, expect, it } from 'vitest';
import { Backoffs } from 'bullmq';
import type { Account } from '../../src/config/accounts.js';
import { classifyError } from '../../src/sync/classify-error.js';
import { decideRetry, REGION_RETRY_POLICY, SINGLE_ATTEMPT_POLICY, transientDelayMs } from '../../src/sync/retry-policy.js';
import { describeUnknownRegions, selectRegions } from '../../src/config/select-regions.js';
import { REGION_JOB_OPTIONS } from '../../src/worker/job-options.js';

const account = (allow: string[] | null = null, deny: string[] = []): Account =>
  ({ name: 'prod', credentials: { type: 'env' }, regions: { allow, deny }, callsPerSecond: 5 });
const available = ['cn-beijing', 'cn-hangzhou', 'us-west-1'].map((regionId) => ({ regionId }));

describe('selectRegions', () => {
  it('keeps what every filter allows and reports each region asked for that does not exist, once, with who asked', () => {
    const { targets, unknown } = selectRegions(available, account(['cn-hangzhou', 'cn-nowhere'], ['us-west-1']),
      { only: ['cn-hangzho', 'cn-hangzhou'], configured: ['cn-hangzhou', 'xx-none-1', 'cn-hangzho'] });
    expect(targets.map((t) => t.regionId)).toEqual(['cn-hangzhou']);
    expect(unknown).toEqual([
      { account: 'prod', regionId: 'cn-hangzho', askedBy: '--region' },
      { account: 'prod', regionId: 'xx-none-1', askedBy: 'SWAS_REGIONS' },
      { account: 'prod', regionId: 'cn-nowhere', askedBy: 'the allow list of account prod' },
    ]);
    expect(describeUnknownRegions(unknown, ['cn-hangzhou'])).toBe('unknown region(s): cn-hangzho asked for by --region (account prod); ' +
      'xx-none-1 asked for by SWAS_REGIONS (account prod); cn-nowhere asked for by the allow list of account prod (account prod): ' +
      'ListRegions does not return them. Fix the region name(s); ListRegions returns: cn-hangzhou');
  });

  it('a denied region is filtered, not unknown; no filters means every region', () => {
    expect(selectRegions(available, account(null, ['us-west-1']), { configured: ['us-west-1'] })).toEqual({ targets: [], unknown: [] });
    expect(selectRegions(available, account(), { configured: null }).targets).toHaveLength(3);
  });
});

describe('the shared retry policy', () => {
  const throttled = classifyError(Object.assign(new Error('Throttling.User: slow down'), { code: 'Throttling.User', retryAfter: 1500 }));
  const transient = classifyError(Object.assign(new Error('InternalError'), { code: 'InternalError', statusCode: 500 }));
  const permanent = classifyError(Object.assign(new Error('nope'), { code: 'InvalidAccessKeyId.NotFound', statusCode: 404 }));

  it('throttles wait out x-acs-retry-after without spending an attempt, up to the limit', () => {
    expect(decideRetry(REGION_RETRY_POLICY, throttled, 1, 0)).toEqual({ action: 'throttled', ms: 1500 });
    expect(decideRetry(REGION_RETRY_POLICY, throttled, 5, 99)).toEqual({ action: 'throttled', ms: 1500 });
    expect(decideRetry(REGION_RETRY_POLICY, throttled, 5, 100)).toEqual({ action: 'fail' });
    expect(decideRetry(SINGLE_ATTEMPT_POLICY, throttled, 1, 0)).toEqual({ action: 'fail' });
  });

  it('transient failures retry until the attempts run out; permanent ones never', () => {
    expect(decideRetry(REGION_RETRY_POLICY, transient, 4, 0)).toEqual({ action: 'retry' });
    expect(decideRetry(REGION_RETRY_POLICY, transient, 5, 0)).toEqual({ action: 'fail' });
    expect(decideRetry(REGION_RETRY_POLICY, permanent, 1, 0)).toEqual({ action: 'fail' });
  });

  it('is the queue\'s policy: the region jobs use the same attempts and backoff, and the CLI waits what BullMQ would', () => {
    expect(REGION_JOB_OPTIONS).toMatchObject({ attempts: REGION_RETRY_POLICY.attempts, backoff: REGION_RETRY_POLICY.backoff });
    for (const attempt of [1, 2, 3, 4]) {
      const max = REGION_RETRY_POLICY.backoff.delay * 2 ** (attempt - 1);
      const ms = transientDelayMs(REGION_RETRY_POLICY, attempt);
      expect(ms).toBeGreaterThanOrEqual(max * 0.5);
      expect(ms).toBeLessThanOrEqual(max);
    }
    expect(Backoffs.calculate({ type: 'exponential', delay: 100 }, 3, new Error('x'), undefined as never)).toBe(400);
  });
});

describe('reasons survive', () => {
  it('an IncompleteSignature message keeps its code and text, and says what to check', () => {
    const c = classifyError(Object.assign(new Error('IncompleteSignature: code: 400, The request signature does not conform to Aliyun standards. request id: R1'),
      { code: 'IncompleteSignature', statusCode: 400 }));
    // Shown as `code: message`, so the message neither repeats the code nor says the status as `code: 400`.
    expect(c.message.startsWith('HTTP 400: The request signature does not conform')).toBe(true);
    expect(c.message).not.toContain('[redacted]');
    expect(c.message).toContain('ALIBABA_CLOUD_ACCESS_KEY_SECRET');
    // A real key=value secret is still redacted.
    expect(classifyError(new Error('x Signature=abc&y')).message).toBe('x Signature=[redacted]&y');
  });

  it('an empty credentials chain is NoCredentials (permanent), naming what to set, with the library\'s glued noise cut out', () => {
    const c = classifyError(new Error('unable to get credentials from any of the providers in the chain: unable to get credentials from enviroment variables, ' +
      'Access key ID must be specified via environment variable (ALIBABA_CLOUD_ACCESS_KEY_ID), get role name failed: GET http://100.100.100.200/ 404, getaddrinfo ENOTFOUND undefinedGET https://undefined/ failed.'));
    expect(c).toMatchObject({ kind: 'permanent', code: 'NoCredentials' });
    expect(c.message).toMatch(/^No Alibaba Cloud credentials found: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET/);
    expect(c.message).not.toMatch(/undefinedGET|https:\/\/undefined/);
    expect(c.message).toContain('404');
  });
});
