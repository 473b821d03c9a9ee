/**
 * CPU time of the Postgres backends serving one client, read from /proc/<pid>/stat (utime +
 * stime) of the pids pg_stat_activity shows for that client's connections. Needs Postgres on this
 * machine and /proc readable (root, or the same user); otherwise `available` is false and the
 * figures leave the database out and say so.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import postgres from 'postgres';

const TICKS_PER_SECOND = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** pid -> CPU ms so far. */
export type CpuSnapshot = Map<number, number>;

function cpuMsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) / TICKS_PER_SECOND) * 1000;
  } catch {
    return null;
  }
}

export class BackendCpu {
  available = true;
  private readonly admin: postgres.Sql;

  constructor(adminUrl: string) {
    this.admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  }

  /** CPU of the backends behind these client ports (the proxy's upstream connections). */
  async snapshot(clientPorts: readonly number[]): Promise<CpuSnapshot> {
    const out: CpuSnapshot = new Map();
    if (clientPorts.length === 0) return out;
    const rows = await this.admin<Array<{ pid: number }>>`
      select pid from pg_stat_activity where client_port = any(${[...clientPorts]}::int[]) and client_addr in ('127.0.0.1', '::1')`;
    for (const { pid } of rows) {
      const ms = cpuMsOf(pid);
      if (ms === null) this.available = false;
      else out.set(pid, ms);
    }
    return out;
  }

  /** CPU of every backend connected to database `name` (a bench database has no other clients). */
  async snapshotDatabase(name: string): Promise<CpuSnapshot> {
    const out: CpuSnapshot = new Map();
    const rows = await this.admin<Array<{ pid: number }>>`select pid from pg_stat_activity where datname = ${name}`;
    for (const { pid } of rows) {
      const ms = cpuMsOf(pid);
      if (ms === null) this.available = false;
      else out.set(pid, ms);
    }
    return out;
  }

  close(): Promise<void> {
    return this.admin.end({ timeout: 5 });
  }
}

/** CPU used between two snapshots; a backend born in between counts from zero. */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}
