import { describe, expect, it } from 'vitest';
import { callResources, evaluate, globMatches } from '../../src/emulator/authorize-call.js';
import { keyPermissionsSchema, type KeyPermissionsInput } from '../../src/emulator/permissions-format.js';

const policy = (input: KeyPermissionsInput) => keyPermissionsSchema.parse(input);
const ACTION = 'swas-open:ListCustomImages';
const arn = (region: string, id = '*') => `acs:swas-open:${region}:1234567890123456:customimage/${id}`;

describe('RAM evaluation (pure)', () => {
  it('globs: * and ? wildcards, actions case-insensitive, a literal * only matched by a wildcard', () => {
    expect(globMatches('swas-open:List*', ACTION, true)).toBe(true);
    expect(globMatches('SWAS-OPEN:listcustomimages', ACTION, true)).toBe(true);
    expect(globMatches('swas-open:List?', ACTION, true)).toBe(false);
    expect(globMatches('acs:swas-open:*:*:customimage/*', arn('cn-hangzhou'))).toBe(true);
    expect(globMatches('acs:swas-open:*:*:customimage/m-1', arn('cn-hangzhou'))).toBe(false);
    expect(globMatches('acs:swas-open:cn-*:*:*', arn('ap-southeast-1'))).toBe(false);
  });

  it('no statement: implicit deny; an Allow: allow; a matching Deny wins over any Allow', () => {
    expect(evaluate(policy({ statements: [] }), ACTION, 'cn-hangzhou', arn('cn-hangzhou'))).toBe('ImplicitDeny');
    expect(evaluate(policy({ statements: [{ actions: ['*'] }] }), ACTION, 'cn-hangzhou', arn('cn-hangzhou'))).toBe('Allow');
    const denyShanghai = policy({ statements: [{ actions: ['*'] }, { effect: 'Deny', actions: [ACTION], regions: ['cn-shanghai'] }] });
    expect(evaluate(denyShanghai, ACTION, 'cn-shanghai', arn('cn-shanghai'))).toBe('ExplicitDeny');
    expect(evaluate(denyShanghai, ACTION, 'cn-hangzhou', arn('cn-hangzhou'))).toBe('Allow');
  });

  it('regions and resources both narrow a statement', () => {
    const p = policy({ statements: [{ actions: [ACTION], regions: ['cn-hangzhou'], resources: [arn('cn-hangzhou', 'm-1')] }] });
    expect(evaluate(p, ACTION, 'cn-hangzhou', arn('cn-hangzhou', 'm-1'))).toBe('Allow');
    expect(evaluate(p, ACTION, 'cn-hangzhou', arn('cn-hangzhou'))).toBe('ImplicitDeny');
    expect(evaluate(p, ACTION, 'cn-shanghai', arn('cn-shanghai', 'm-1'))).toBe('ImplicitDeny');
  });

  it("a listing's resources: one ARN per ImageIds entry, else customimage/*", () => {
    expect(callResources({ action: 'ListCustomImages', regionId: 'cn-hangzhou', accountUid: '1234567890123456', imageIds: undefined })).toEqual([arn('cn-hangzhou')]);
    expect(callResources({ action: 'ListCustomImages', regionId: 'cn-hangzhou', accountUid: '1234567890123456', imageIds: ['m-1', 'm-2'] }))
      .toEqual([arn('cn-hangzhou', 'm-1'), arn('cn-hangzhou', 'm-2')]);
  });
});
