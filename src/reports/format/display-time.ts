/**
 * Times as people read them in a table: `2026-01-31 20:00:00` in the display zone, which is UTC
 * unless asked (`--tz local`, `--tz Asia/Shanghai`, or the TZ environment variable). JSON and CSV
 * always carry ISO 8601 UTC. Pure apart from the machine's own zone for `local`.
 */

export interface DisplayZone {
  /** IANA name shown in headers: `UTC`, `Asia/Shanghai`. */
  name: string;
  /** ISO 8601 text (or a Date) -> `YYYY-MM-DD HH:MM:SS` in this zone; anything else as it is. */
  format(value: unknown): string;
}

export class ZoneError extends Error {
  override name = 'ZoneError';
}

/**
 * `--tz` if given, else `TZ` if set (the user's own zone), else UTC: a server's logs and a
 * laptop's table then agree unless someone asks for local time.
 */
export function resolveZone(flag: string | undefined, env: NodeJS.ProcessEnv): DisplayZone {
  const asked = flag?.trim();
  if (asked !== undefined && asked !== '') {
    if (asked.toLowerCase() === 'utc') return displayZone('UTC');
    if (asked.toLowerCase() === 'local') return displayZone(machineZone());
    if (!isZone(asked)) throw new ZoneError(`unknown time zone '${asked}': expected utc, local or an IANA name such as Asia/Shanghai`);
    return displayZone(asked);
  }
  const tz = env.TZ?.trim();
  // TZ may also be a POSIX rule (`:/etc/localtime`, `CST-8`) Intl cannot name: Node still applies it.
  if (tz !== undefined && tz !== '') return displayZone(isZone(tz) ? tz : machineZone());
  return displayZone('UTC');
}

export function displayZone(name: string): DisplayZone {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: name, hourCycle: 'h23',
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  const canonical = name.toUpperCase() === 'UTC' || name === 'Etc/UTC' ? 'UTC' : name;
  return {
    name: canonical,
    format(value) {
      const date = value instanceof Date ? value : typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : null;
      if (date === null || Number.isNaN(date.getTime())) return value === null || value === undefined ? '' : String(value);
      const p = Object.fromEntries(parts.formatToParts(date).map((x) => [x.type, x.value]));
      return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
    },
  };
}

/** A duration for people: `45s`, `12m`, `3h 20m`, `4d 2h`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h}h` : `${h}h ${m % 60}m`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d}d` : `${d}d ${h % 24}h`;
}

function machineZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function isZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
