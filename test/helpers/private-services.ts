/**
 * Private, throwaway Postgres and Redis servers for tests that restart or kill them. The shared
 * servers (DATABASE_URL / REDIS_URL) serve every other test file in parallel: never restart those.
 *
 * Postgres: a fresh cluster from this machine's initdb (run as the `postgres` OS user when we are
 * root, since initdb refuses root) in a temporary directory, trust auth, loopback only, fsync off.
 * Redis: a `redis-server` child process without persistence, killed and restarted on the same port.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

const run = promisify(execFile);

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest === undefined) {
    throw new Error('No initdb under /usr/lib/postgresql/*/bin: the Postgres-restart scenario needs a private cluster. ' +
      'Install the PostgreSQL server package (apt-get install postgresql) so initdb and pg_ctl exist.');
  }
  return join(root, newest, 'bin');
}

export interface PrivatePostgres {
  port: number;
  /** Admin URL of the `postgres` database (trust auth). */
  adminUrl: string;
  /** URL of another database on this server. */
  urlOf(database: string): string;
  /** `pg_ctl restart -m fast`: every connection is terminated, the server is back when it returns. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its directory. */
  destroy(): Promise<void>;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'swas-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  // initdb refuses to run as root: hand the directory to the postgres user and run as it.
  const as = async (cmd: string, args: string[]): Promise<void> => {
    if (asRoot) await run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]);
    else await run(join(bin, cmd), args);
  };
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']).catch(() => {
      throw new Error('Running as root but there is no `postgres` OS user to run initdb as.');
    });
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  await as('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  const ctl = (...args: string[]) => as('pg_ctl', ['-D', data, '-w', '-t', '30', '-l', join(dir, 'log'), ...args]);
  await ctl('-o', options, 'start');
  const urlOf = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  let running = true;
  return {
    port,
    adminUrl: urlOf('postgres'),
    urlOf,
    restart: async () => { await ctl('-m', 'fast', '-o', options, 'restart'); running = true; },
    stop: async () => { await ctl('-m', 'fast', 'stop'); running = false; },
    start: async () => { await ctl('-o', options, 'start'); running = true; },
    destroy: async () => {
      if (running) await ctl('-m', 'immediate', 'stop').catch(() => undefined);
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PrivateRedis {
  port: number;
  url: string;
  /** SIGKILL: the server is gone at once, and with it (no persistence) every key. */
  kill(): Promise<void>;
  /** Starts it again on the same port and waits until it answers PING. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** `maxmemoryPolicy`: the server's eviction policy (default noeviction, what the queues need). */
export async function startPrivateRedis(options: { maxmemoryPolicy?: string } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const start = async (): Promise<void> => {
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--maxmemory-policy', options.maxmemoryPolicy ?? 'noeviction'], { stdio: 'ignore' });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    proc.once('error', () => undefined);
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined); // refused until the server is up: expected, retried below
    try {
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          await probe.connect();
          if ((await probe.ping()) === 'PONG') return;
        } catch {
          if (Date.now() > deadline) throw new Error(`private redis-server on port ${port} did not answer (is redis-server installed?)`);
          probe.disconnect();
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    } finally {
      probe.disconnect();
    }
  };
  const kill = async (): Promise<void> => {
    if (child === null) return;
    child.kill('SIGKILL');
    await exited;
    child = null;
  };
  await start();
  return { port, url, kill, start, stop: kill };
}
