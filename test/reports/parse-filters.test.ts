import { describe, expect, it } from 'vitest';
import { FilterError, parseKinds, parsePositiveInt, parseStatuses, parseTag, statusLabel } from '../../src/reports/parse-filters.js';

describe('filters', () => {
  it('statuses: labels in any common spelling, codes, comma lists', () => {
    expect(parseStatuses('available')).toEqual([1]);
    expect(parseStatuses('Creation-Failed, unavailable')).toEqual([3, 2]);
    expect(parseStatuses('creation failed,0,7')).toEqual([3, 0, 7]);
  });

  it('statuses: an unknown label names the accepted ones', () => {
    expect(() => parseStatuses('broken')).toThrow(FilterError);
    expect(() => parseStatuses('broken')).toThrow("unknown status 'broken': expected one of copying, available, unavailable, creation_failed, creating or a numeric code");
    expect(() => parseStatuses(' , ')).toThrow(/empty value/);
  });

  it('kinds', () => {
    expect(parseKinds('created,status-changed')).toEqual(['created', 'status_changed']);
    expect(() => parseKinds('moved')).toThrow("unknown event kind 'moved': expected one of created, updated, status_changed, tags_changed, deleted, restored");
  });

  it('tags: key=value, value may hold = or be empty', () => {
    expect(parseTag('env=prod')).toEqual({ key: 'env', value: 'prod' });
    expect(parseTag('a=b=c')).toEqual({ key: 'a', value: 'b=c' });
    expect(parseTag('k=')).toEqual({ key: 'k', value: '' });
    expect(() => parseTag('env')).toThrow(/expected key=value/);
    expect(() => parseTag('=x')).toThrow(/expected key=value/);
  });

  it('positive integers', () => {
    expect(parsePositiveInt('30', 'days')).toBe(30);
    for (const bad of ['0', '-1', '1.5', 'x', '']) expect(() => parsePositiveInt(bad, 'days')).toThrow(/bad days/);
  });

  it('status labels, unknown codes visible', () => {
    expect([statusLabel(0), statusLabel(3), statusLabel(42), statusLabel(null)]).toEqual(['copying', 'creation_failed', 'unknown(42)', null]);
  });
});
