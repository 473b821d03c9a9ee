/**
 * A throwaway redis-server of the bench's own (no persistence, loopback, a free port), so INFO's
 * CPU and per-command counts belong to the measured workers alone: the shared Redis serves other
 * users of this machine. Stopped (SIGTERM) at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export interface RedisStats {
  cpuMs: number;
  /** Every command executed, INFO itself left out. */
  commands: number;
  byCommand: Record<string, number>;
}

export interface PrivateRedis {
  url: string;
  stats(): Promise<RedisStats>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export function parseRedisInfo(text: string): RedisStats {
  let cpu = 0;
  const byCommand: Record<string, number> = {};
  for (const line of text.split(/\r?\n/)) {
    const [key, value = ''] = line.split(':', 2) as [string, string?];
    if (key === 'used_cpu_sys' || key === 'used_cpu_user') cpu += Number(value) * 1000;
    const m = /^cmdstat_(.+)$/.exec(key);
    if (m && m[1] !== 'info') byCommand[m[1] as string] = Number(/calls=(\d+)/.exec(value)?.[1] ?? 0);
  }
  return { cpuMs: cpu, commands: Object.values(byCommand).reduce((a, b) => a + b, 0), byCommand };
}

export function statsBetween(a: RedisStats, b: RedisStats): RedisStats {
  const byCommand: Record<string, number> = {};
  for (const [k, v] of Object.entries(b.byCommand)) {
    const d = v - (a.byCommand[k] ?? 0);
    if (d > 0) byCommand[k] = d;
  }
  return { cpuMs: b.cpuMs - a.cpuMs, commands: b.commands - a.commands, byCommand };
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  let client: Redis | null = null;
  for (let i = 0; client === null; i += 1) {
    const attempt = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
    attempt.on('error', () => {});
    try {
      await attempt.connect();
      await attempt.ping();
      client = attempt;
    } catch (error) {
      attempt.disconnect();
      if (i > 50) throw new Error(`private redis-server did not start: ${(error as Error).message}`, { cause: error });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const stats = client;
  return {
    url,
    stats: async () => parseRedisInfo(await stats.info('all')),
    stop: async () => {
      stats.disconnect();
      if (child.exitCode === null) child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
    },
  };
}
