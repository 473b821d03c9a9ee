/**
 * Private, throwaway Postgres and Redis servers for tests that restart or kill them. The shared
 * servers (DATABASE_URL / REDIS_URL) serve every other test file in parallel: never restart those.
 *
 * Postgres: a fresh cluster from this machine's initdb (run as the `postgres` OS user when we are
 * root, since initdb refuses root) in a temporary directory, trust auth, loopback only, fsync off.
 * Redis: a `redis-server` child process without persistence, killed and restarted on the same port.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

const run = promisify(execFile);

/**
 * Every private server still running, each with a synchronous way to end it. A test file whose
 * setup failed after starting one (a missing REDIS_URL, a timeout) may never reach its afterAll's
 * stop; pg_ctl daemonizes Postgres, so it would outlive the test process and keep its port and
 * memory (three such servers were found 36 minutes after a failed run). When the test process ends
 * (vitest stops its forks with SIGTERM, which skips 'exit' handlers unless one listens for it),
 * whatever is left is ended here.
 */
const leftRunning = new Set<() => void>();
function endLeftRunning(): void {
  for (const end of leftRunning) end();
  leftRunning.clear();
}
let watching = false;
function endOnExit(end: () => void): () => void {
  if (!watching) {
    watching = true;
    process.once('exit', endLeftRunning);
    process.once('SIGTERM', () => {
      endLeftRunning();
      process.exit(143);
    });
  }
  leftRunning.add(end);
  return () => { leftRunning.delete(end); };
}
/** Ends a daemonized Postgres by its postmaster.pid (SIGQUIT: immediate shutdown), if it is there. */
function quitPostmaster(data: string): void {
  try {
    process.kill(Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]), 'SIGQUIT');
  } catch {
    // Not running (no pid file, or the process is gone).
  }
}

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

export interface PrivatePostgresOptions {
  /** Serve TLS (`ssl=on`) with this certificate chain and key (PEM); plain connections still work. */
  tls?: { cert: string; key: string };
}

export async function startPrivatePostgres(settings: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
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
  let options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  if (settings.tls) {
    // Postgres refuses a key file others can read; the server runs as the owner of the data dir.
    const certFile = join(data, 'server.crt');
    const keyFile = join(data, 'server.key');
    writeFileSync(certFile, settings.tls.cert);
    writeFileSync(keyFile, settings.tls.key, { mode: 0o600 });
    if (asRoot) {
      const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
      const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
      chownSync(certFile, uid, gid);
      chownSync(keyFile, uid, gid);
    }
    options += ` -c ssl=on -c ssl_cert_file=${certFile} -c ssl_key_file=${keyFile}`;
  }
  const ctl = (...args: string[]) => as('pg_ctl', ['-D', data, '-w', '-t', '30', '-l', join(dir, 'log'), ...args]);
  const forget = endOnExit(() => quitPostmaster(data));
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
      forget();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A PgBouncer (Debian's `pgbouncer`) in front of a Postgres on loopback, trust auth. */
export interface PrivatePgBouncer {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>/<database>` through the pooler (add the client settings you need). */
  urlOf(database: string): string;
  /** The pooler's log (connections, errors), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * PgBouncer in `poolMode` (default transaction) forwarding every database to `postgresPort` on
 * 127.0.0.1; an ini and a userlist in a temp dir, run as the `postgres` OS user when we are root
 * (pgbouncer refuses root). `auth_type = trust` still needs the user in the auth file.
 */
export async function startPrivatePgBouncer(postgresPort: number, options: { poolMode?: 'transaction' | 'session'; poolSize?: number } = {}): Promise<PrivatePgBouncer> {
  const dir = mkdtempSync(join(tmpdir(), 'swas-pgb-'));
  const port = await freePort();
  const ini = join(dir, 'pgbouncer.ini');
  const logFile = join(dir, 'pgbouncer.log');
  writeFileSync(join(dir, 'userlist.txt'), '"postgres" ""\n');
  writeFileSync(ini, [
    '[databases]',
    `* = host=127.0.0.1 port=${postgresPort}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = trust',
    `auth_file = ${join(dir, 'userlist.txt')}`,
    `pool_mode = ${options.poolMode ?? 'transaction'}`,
    `default_pool_size = ${options.poolSize ?? 10}`,
    'max_client_conn = 500',
    `logfile = ${logFile}`,
    '',
  ].join('\n'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    for (const f of ['', 'pgbouncer.ini', 'userlist.txt']) chownSync(join(dir, f), uid, gid);
  }
  const child = asRoot ? spawn('runuser', ['-u', 'postgres', '--', 'pgbouncer', ini], { stdio: 'ignore' })
    : spawn('pgbouncer', [ini], { stdio: 'ignore' });
  child.once('error', () => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const forget = endOnExit(() => { child.kill('SIGTERM'); });
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const deadline = Date.now() + 15_000;
  while (!log().includes('process up')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`pgbouncer did not start on port ${port} (is Debian's pgbouncer installed?):\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    urlOf: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        // runuser passes SIGTERM on; pgbouncer's immediate shutdown is SIGINT's safe twin, SIGTERM.
        child.kill('SIGTERM');
        await exited;
      }
      forget();
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

/** PEM files of a TLS identity, for `startPrivateRedis({ tls })`. */
export interface TlsFiles {
  cert: string;
  key: string;
  ca: string;
}

/**
 * `maxmemoryPolicy`: the server's eviction policy (default noeviction, what the queues need).
 * `tls`: TLS only (`--tls-port`, no plain port), clients not asked for certificates; `url` is then
 * `rediss://127.0.0.1:PORT`. `bind`: the addresses it listens on (default 127.0.0.1).
 */
export async function startPrivateRedis(options: { maxmemoryPolicy?: string; tls?: TlsFiles; bind?: string[] } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `${options.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`;
  const listen = options.tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', options.tls.cert, '--tls-key-file', options.tls.key,
      '--tls-ca-cert-file', options.tls.ca, '--tls-auth-clients', 'no']
    : ['--port', String(port)];
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const start = async (): Promise<void> => {
    const proc = spawn('redis-server', [...listen, '--bind', ...(options.bind ?? ['127.0.0.1']), '--save', '', '--appendonly', 'no',
      '--maxmemory-policy', options.maxmemoryPolicy ?? 'noeviction'], { stdio: 'ignore' });
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    proc.once('error', () => undefined);
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null,
      ...(options.tls ? { tls: { ca: readFileSync(options.tls.ca) } } : {}) });
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
  const forget = endOnExit(() => { child?.kill('SIGKILL'); });
  await start();
  const stop = async (): Promise<void> => {
    await kill();
    forget();
  };
  return { port, url, kill, start, stop };
}

/** Whether nobody listens on `port` on loopback now. */
async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * `count` ports from `from` upward whose cluster bus ports (+10000) are free too. Cluster nodes need
 * both, and a random free port above 55535 has no bus port, so these come from a fixed range
 * (SWAS_TEST_CLUSTER_PORTS, default 7100: the range this project's tests use for clusters).
 */
async function clusterPorts(count: number, from = Number(process.env.SWAS_TEST_CLUSTER_PORTS ?? 7100)): Promise<number[]> {
  const ports: number[] = [];
  for (let p = from; ports.length < count && p < from + 500; p++) {
    if (await portFree(p) && await portFree(p + 10_000)) ports.push(p);
  }
  if (ports.length < count) throw new Error(`no ${count} free port pairs (port, port+10000) from ${from}`);
  return ports;
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!await probe().catch(() => false)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface PrivateRedisCluster {
  ports: number[];
  /** `127.0.0.1:p1,127.0.0.1:p2,...` as REDIS_CLUSTER_NODES takes it (the masters at creation). */
  seeds: string;
  /** The master that serves `key`'s slot now, and its replica. */
  ownerOf(key: string): Promise<{ master: number; replica: number; slot: number }>;
  /** CLUSTER FAILOVER on `replica` (the graceful kind: no write lost); resolves once it is the master and the cluster is ok. */
  failover(replica: number): Promise<void>;
  /** SIGKILL one node (its replica takes over after the node timeout, 2 s). */
  kill(port: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A Redis Cluster of `masters` masters with `replicas` replicas each, on loopback, without
 * persistence, `noeviction`, node timeout 2 s; made with `redis-cli --cluster create`.
 */
export async function startPrivateRedisCluster(options: { masters?: number; replicas?: number } = {}): Promise<PrivateRedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicas ?? 1;
  const ports = await clusterPorts(masters * (1 + replicas));
  const dir = mkdtempSync(join(tmpdir(), 'swas-cluster-'));
  const children = new Map<number, { proc: ChildProcess; exited: Promise<void> }>();
  const client = (port: number): Redis => {
    const r = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    return r;
  };
  const ask = async <T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> => {
    const r = client(port);
    try {
      await r.connect();
      return await fn(r);
    } finally {
      r.disconnect();
    }
  };
  const forget = endOnExit(() => { for (const [, c] of children) c.proc.kill('SIGKILL'); });
  const stop = async (): Promise<void> => {
    for (const [, c] of children) c.proc.kill('SIGKILL');
    await Promise.all([...children.values()].map((c) => c.exited));
    children.clear();
    forget();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
        '--cluster-config-file', join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', '2000', '--dir', dir,
        '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
      proc.once('error', () => undefined);
      children.set(port, { proc, exited: new Promise((resolve) => proc.once('exit', () => resolve())) });
    }
    for (const port of ports) await waitUntil(`cluster node ${port} to answer`, () => ask(port, async (r) => (await r.ping()) === 'PONG'), 10_000);
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', String(replicas), '--cluster-yes']);
    for (const port of ports) {
      await waitUntil(`cluster node ${port} to be ok`, () => ask(port, async (r) => /cluster_state:ok/.test(await r.cluster('INFO') as string)));
    }
    // cluster_state:ok comes before gossip has told every node which replica follows which
    // master; a test that looks up "the replica of slot S's master" must wait for that too.
    const expectedReplicas = (ports.length / (replicas + 1)) * replicas;
    for (const port of ports) {
      await waitUntil(`cluster node ${port} to know every replica`, () => ask(port, async (r) => {
        const lines = (await r.cluster('NODES') as string).trim().split('\n');
        return lines.filter((l) => { const f = l.split(' '); return f[2]?.includes('slave') && f[3] !== '-'; }).length === expectedReplicas;
      }));
    }
  } catch (err) {
    await stop();
    throw err;
  }

  /** `CLUSTER NODES` from any live node: id, port, role, master id, slots. */
  const nodes = async (from?: number) => {
    const live = ports.filter((p) => children.has(p));
    const text = await ask(from ?? live[0] as number, (r) => r.cluster('NODES') as Promise<string>);
    return text.trim().split('\n').map((line) => {
      const [id, address, flags, masterId, , , , , ...slots] = line.split(' ');
      return { id: id as string, port: Number((address as string).split(/[:@]/)[1]), master: (flags as string).includes('master') && !(flags as string).includes('fail'),
        masterId: masterId as string, slots: slots as string[] };
    });
  };
  const ownerOf = async (key: string) => {
    const slot = await ask(ports[0] as number, (r) => r.cluster('KEYSLOT', key) as Promise<number>);
    // Right after a failover the node asked may not yet have heard (by gossip) that the old master
    // now follows the new one: ask again until its view has a master with a live replica.
    let found: { master: number; replica: number; slot: number } | undefined;
    await waitUntil(`a master with a live replica serving slot ${slot}`, async () => {
      const all = await nodes();
      const owner = all.find((n) => n.master && n.slots.some((range) => {
        const [a, b] = range.split('-').map(Number);
        return slot >= (a as number) && slot <= (b ?? a as number);
      }));
      const replica = all.find((n) => n.masterId === owner?.id && children.has(n.port));
      if (owner !== undefined && replica !== undefined) found = { master: owner.port, replica: replica.port, slot };
      return found !== undefined;
    }, 15_000);
    return found as { master: number; replica: number; slot: number };
  };
  return {
    ports,
    seeds: ports.slice(0, masters).map((p) => `127.0.0.1:${p}`).join(','),
    ownerOf,
    failover: async (replica) => {
      await waitUntil(`replica ${replica} in sync with its master`, () => ask(replica, async (r) => /master_link_status:up/.test(await r.info('replication'))));
      await ask(replica, (r) => r.cluster('FAILOVER'));
      await waitUntil(`node ${replica} to be a master`, () => ask(replica, async (r) => /role:master/.test(await r.info('replication'))));
      for (const port of ports.filter((p) => children.has(p))) {
        await waitUntil(`cluster node ${port} to be ok`, () => ask(port, async (r) => /cluster_state:ok/.test(await r.cluster('INFO') as string)));
        // ...and to have heard by gossip that the promoted replica now serves the slots, so that
        // ownerOf (and a client's slot map) reads the new owner from any node.
        await waitUntil(`cluster node ${port} to see ${replica} serve slots`, async () =>
          (await nodes(port)).some((n) => n.port === replica && n.master && n.slots.length > 0));
      }
    },
    kill: async (port) => {
      const c = children.get(port);
      if (c === undefined) return;
      c.proc.kill('SIGKILL');
      await c.exited;
      children.delete(port);
    },
    stop,
  };
}
