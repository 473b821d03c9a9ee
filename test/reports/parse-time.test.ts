import { describe, expect, it } from 'vitest';
import { TimeParseError, parseTime } from '../../src/reports/parse-time.js';

const NOW = new Date('2026-03-15T12:00:00.000Z');
const iso = (input: string) => parseTime(input, NOW).toISOString();

describe('parseTime', () => {
  it.each([
    ['30m', '2026-03-15T11:30:00.000Z'],
    ['24h', '2026-03-14T12:00:00.000Z'],
    ['7d', '2026-03-08T12:00:00.000Z'],
    ['2w', '2026-03-01T12:00:00.000Z'],
    ['0d', '2026-03-15T12:00:00.000Z'],
    ['now', '2026-03-15T12:00:00.000Z'],
  ])('relative %s is before now', (input, expected) => {
    expect(iso(input)).toBe(expected);
  });

  it.each([
    ['2026-01-31', '2026-01-31T00:00:00.000Z'],
    ['2026-01-31T12:34', '2026-01-31T12:34:00.000Z'],
    ['2026-01-31T12:34:56Z', '2026-01-31T12:34:56.000Z'],
    ['2026-01-31 12:34:56.789z', '2026-01-31T12:34:56.789Z'],
    ['2026-01-31T12:34:56.7891234Z', '2026-01-31T12:34:56.789Z'],
    ['2026-01-31T20:00:00+08:00', '2026-01-31T12:00:00.000Z'],
    ['2026-01-31T07:00:00-0500', '2026-01-31T12:00:00.000Z'],
    ['2026-01-31T12:00:00+05', '2026-01-31T07:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
  ])('ISO 8601 %s (no offset means UTC)', (input, expected) => {
    expect(iso(input)).toBe(expected);
  });

  it.each(['', 'yesterday', '7', '7y', '-7d', '2026-1-31', '2026-02-30', '2025-02-29', '2026-01-31T24:00', '2026-13-01',
    '2026-01-31T12:60', '2026-01-31T12:00:00+8', '1700000000'])('rejects %j with a message saying what is accepted', (input) => {
    expect(() => parseTime(input, NOW)).toThrow(TimeParseError);
    expect(() => parseTime(input, NOW)).toThrow(/cannot parse time .*(expected ISO 8601|no such date)/);
  });
});
