/**
 * Times on the command line: ISO 8601 (`2026-01-31`, `2026-01-31T12:00:00Z`, `...+08:00`) or
 * relative to now (`30m`, `24h`, `7d`, `2w`). Pure: `now` is an argument so tests are exact.
 *
 * A date or date-time without an offset is read as UTC, not the machine's zone: the same command
 * must mean the same instant on a laptop and on a server.
 */

export class TimeParseError extends Error {
  override name = 'TimeParseError';
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const RELATIVE = /^(\d{1,6})([mhdw])$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

const EXPECTED = 'expected ISO 8601 (2026-01-31, 2026-01-31T12:00:00Z, 2026-01-31T20:00:00+08:00) ' +
  'or a relative time before now (30m, 24h, 7d, 2w)';

export function parseTime(input: string, now: Date): Date {
  const text = input.trim();
  if (text.toLowerCase() === 'now') return new Date(now.getTime());
  const relative = RELATIVE.exec(text);
  if (relative) {
    const unit = relative[2] as keyof typeof UNIT_MS;
    return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[unit]);
  }
  const iso = ISO.exec(text);
  if (!iso) throw new TimeParseError(`cannot parse time '${input}': ${EXPECTED}`);
  return fromIsoParts(input, iso);
}

function fromIsoParts(input: string, m: RegExpExecArray): Date {
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as
    [number, number, number, number, number, number];
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Date.UTC rolls 2026-02-30 over to March: compare back to reject impossible dates.
  const check = new Date(utc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day ||
      hour > 23 || minute > 59 || second > 59) {
    throw new TimeParseError(`cannot parse time '${input}': no such date or time of day`);
  }
  return new Date(utc - offsetMinutes(m[8]) * 60_000);
}

function offsetMinutes(zone: string | undefined): number {
  if (!zone || zone.toUpperCase() === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
  return zone.startsWith('-') ? -minutes : minutes;
}
