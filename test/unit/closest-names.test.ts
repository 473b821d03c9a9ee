import { describe, expect, it } from 'vitest';
import { closestNamesHint, editDistance } from '../../src/domain/closest-names.js';

describe('closest names', () => {
  it('counts insertions, deletions, substitutions and neighbour swaps as one edit each', () => {
    expect([editDistance('cn-hangzou', 'cn-hangzhou'), editDistance('prd', 'prod'), editDistance('porD', 'prod'),
      editDistance('abc', 'acb'), editDistance('', 'ab'), editDistance('same', 'same')]).toEqual([1, 1, 2, 1, 2, 0]);
  });

  it('suggests the names a typo away, the closest first', () => {
    expect(closestNamesHint('cn-hangzou', ['cn-shanghai', 'cn-hangzhou', 'cn-beijing'])).toBe('did you mean cn-hangzhou?');
    expect(closestNamesHint('PRD', ['prod', 'dev'])).toBe('did you mean prod?');
    expect(closestNamesHint('cn-beijin', ['cn-beijing', 'cn-beijing', 'cn-beijinh'])).toBe('did you mean cn-beijing or cn-beijinh?');
  });

  it('names the closest known values when none is a typo away, and says when nothing is known', () => {
    expect(closestNamesHint('zzz', ['prod', 'dev'])).toBe('known: dev, prod');
    expect(closestNamesHint('x', ['a1', 'b1', 'c1', 'd1', 'e1', 'f1'], 3)).toBe('known: a1, b1, c1, ... (6 in all)');
    expect(closestNamesHint('x', [])).toBe('nothing recorded yet');
  });
});
