/**
 * The one place the environment is read. `loadConfig()` validates every variable once, at start-up,
 * and fails with a message naming each bad variable; nothing here runs at import time.
 */
import { z } from 'zod';
import { ConfigurationError } from '../domain/errors.js';

/** Where SWAS_ENDPOINT sends every call (ListRegions included). */
export interface EndpointOverride {
  protocol: 'http' | 'https';
  /** `host` or `host:port`, exactly what the SDK puts in its `endpoint` and the `host` header. */
  host: string;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  /** `DATABASE_URL` (postgres:// or postgresql://). Default: none, meaning embedded PGlite under `dataDir`. */
  databaseUrl: string | null;
  /** `SWAS_DATA_DIR`: where the embedded PGlite database lives. Default `./.swas-inventory`. */
  dataDir: string;
  /**
   * `REDIS_URL` (redis:// or rediss://). Default `redis://127.0.0.1:6379`. With REDIS_CLUSTER_NODES
   * its host is not used, but its scheme (rediss:// = TLS), user and password apply to every node.
   */
  redisUrl: string;
  /**
   * `REDIS_CLUSTER_NODES`: `host:port[,host:port...]`, some nodes of a Redis Cluster (the client
   * discovers the rest). Takes precedence over REDIS_URL's host: every connection is a cluster client,
   * and QUEUE_PREFIX is hash-tagged (`{swas}`) so each queue's keys share a slot. Default: none (one node, REDIS_URL).
   */
  redisClusterNodes: RedisNode[] | null;
  /**
   * `REDIS_CA_FILE`: a PEM file of CA certificates trusted for Redis's TLS (rediss://) instead of
   * Node's bundled roots (a private CA, a managed service's CA). Default: none (Node's roots).
   */
  redisCaFile: string | null;
  /**
   * `SWAS_ENDPOINT`, e.g. `http://127.0.0.1:9100`: every call goes there (emulator, proxy).
   * A value without a scheme means https. Default: none, meaning real per-region endpoints from ListRegions.
   */
  endpoint: EndpointOverride | null;
  /**
   * `SWAS_CA_FILE`: a PEM file of CA certificates trusted for the API's TLS in addition to Node's
   * bundled roots (a TLS-intercepting proxy, or `emulator --tls`). Read once when the SDK clients
   * are made. Default: none (Node's roots; NODE_EXTRA_CA_CERTS also works).
   */
  caFile: string | null;
  /** `SWAS_REGIONS`: comma list restricting the regions synced. Default: none, meaning every region ListRegions returns. */
  regions: string[] | null;
  /** `SWAS_CONFIG`: path of the accounts file (JSON). Default: none, meaning one account `default` on the default credentials chain. */
  accountsFile: string | null;
  /** `SWAS_PAGE_SIZE`: ListCustomImages PageSize, 1..100. Default 100 (the API maximum: fewest calls). */
  pageSize: number;
  /** `SWAS_READ_TIMEOUT_MS`: SDK read timeout per call. Default 10000. */
  readTimeoutMs: number;
  /** `SWAS_CONNECT_TIMEOUT_MS`: SDK connect timeout per call. Default 5000. */
  connectTimeoutMs: number;
  /** `SWAS_LISTING_ATTEMPTS`: how many times a region is listed when listings are inconsistent (page drift) before it is marked incomplete. Default 3. */
  listingAttempts: number;
  /** `SYNC_CRON`: schedule of the full sync (5 or 6 cron fields). Default `*\/15 * * * *`. */
  syncCron: string;
  /** `SYNC_TZ`: IANA time zone of SYNC_CRON. Default `UTC`. */
  syncTz: string;
  /** `HTTP_PORT`: ops server (health, metrics, queue board). Default 9090. */
  httpPort: number;
  /**
   * `HTTP_HOST`: the address the ops server binds. Default `127.0.0.1`: Bull Board and /metrics have
   * no authentication, so by default only this machine reaches them. Containers set `0.0.0.0`
   * (the Dockerfile does) so the orchestrator's probes and Prometheus can reach the port.
   */
  httpHost: string;
  /** `LOG_LEVEL`: pino level. Default `info`. */
  logLevel: LogLevel;
  /** `SWAS_CALLS_PER_SECOND`: per-account API call budget unless the accounts file sets one. Default 5 (conservative: the real ListCustomImages limit is unpublished). */
  callsPerSecond: number;
  /** `WORKER_CONCURRENCY`: regions (calls) one worker process has in flight at once, across accounts. Default 64 (docs/WORKER.md, sizing). */
  workerConcurrency: number;
  /**
   * `QUEUE_PREFIX`: BullMQ key prefix. Default `swas`. With REDIS_CLUSTER_NODES a prefix that is not
   * already a hash tag is wrapped in one (`swas` -> `{swas}`): every key of ours then hashes to one slot.
   */
  queuePrefix: string;
  /**
   * `SWAS_DATA_DIR_WAIT_MS`: how long a command waits for the embedded database while another
   * process holds it (one process at a time), before refusing. Default 30000; 0 refuses at once.
   */
  dataDirWaitMs: number;
  /**
   * `SWAS_RETENTION_DAYS`: how long the run bookkeeping (`sync_runs`, `region_syncs`) of runs that
   * changed nothing is kept; the worker prunes older rows daily, `prune` on demand. The image
   * history is never pruned. Default 90; 0 keeps everything.
   */
  retentionDays: number;
  /**
   * `CONSOLE_TOKEN`: the credential `console` requires (as the HTTP Basic password, or a Bearer
   * token) on every page but /healthz. Required when the console binds anything but loopback.
   * Default: none (loopback only).
   */
  consoleToken: string | null;
}

/** One node of a Redis Cluster. */
export interface RedisNode {
  host: string;
  port: number;
}

/** Parses `host:port[,host:port...]` (`[v6]:port` for IPv6). Throws naming the bad entry. */
export function parseRedisNodes(value: string): RedisNode[] {
  const entries = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (entries.length === 0) throw new Error('lists no node (expected host:port[,host:port...])');
  return entries.map((entry) => {
    const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(entry);
    const port = Number(match?.[3]);
    if (match === null || port < 1 || port > 65_535) throw new Error(`"${entry}" is not host:port (e.g. 10.0.0.5:6379)`);
    return { host: (match[1] ?? match[2]) as string, port };
  });
}

/** Empty or blank values count as unset, so `FOO=` in a .env file means "use the default". */
const unsetIfBlank = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const optionalText = z.preprocess(unsetIfBlank, z.string().trim().optional());

const intVar = (def: number, min: number, max: number) =>
  z.preprocess(
    unsetIfBlank,
    z.string().trim()
      .regex(/^\d+$/, `must be a whole number between ${min} and ${max}`)
      .transform(Number)
      .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
      .default(def),
  );

const positiveNumberVar = (def: number) =>
  z.preprocess(
    unsetIfBlank,
    z.string().trim()
      .regex(/^\d+(\.\d+)?$/, 'must be a positive number')
      .transform(Number)
      .pipe(z.number().positive('must be greater than 0'))
      .default(def),
  );

const urlWithScheme = (schemes: string[]) =>
  z.string().trim().refine((v) => {
    try {
      return schemes.includes(new URL(v).protocol.replace(/:$/, ''));
    } catch {
      return false;
    }
  }, `must be a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}`);

/** Parses `http://host:port` (or bare `host[:port]`, meaning https) into what the SDK Config wants. */
export function parseEndpoint(value: string): EndpointOverride {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
  const url = new URL(withScheme);
  const protocol = url.protocol.replace(/:$/, '');
  if (protocol !== 'http' && protocol !== 'https') throw new Error(`protocol must be http or https, not ${protocol}`);
  if (url.pathname !== '/' || url.search !== '' || url.username !== '') {
    throw new Error('must be only scheme://host[:port] (the SDK always calls path /)');
  }
  return { protocol, host: url.host };
}

const endpointVar = z.preprocess(
  unsetIfBlank,
  z.string().trim().transform((v, ctx) => {
    try {
      return parseEndpoint(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `${(err as Error).message} (e.g. http://127.0.0.1:9100)` });
      return z.NEVER;
    }
  }).optional(),
);

const REGION_ID = /^[a-z0-9]+(-[a-z0-9]+)+$/;
const regionsVar = z.preprocess(
  unsetIfBlank,
  z.string().transform((v, ctx) => {
    const ids = [...new Set(v.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
    const bad = ids.filter((id) => !REGION_ID.test(id));
    if (bad.length > 0) ctx.addIssue({ code: 'custom', message: `not region ids: ${bad.join(', ')} (expected e.g. cn-hangzhou,ap-southeast-1)` });
    if (ids.length === 0) ctx.addIssue({ code: 'custom', message: 'lists no region' });
    return ids;
  }).optional(),
);

const cronVar = z.preprocess(
  unsetIfBlank,
  z.string().trim()
    .refine((v) => [5, 6].includes(v.split(/\s+/).length), 'must have 5 or 6 cron fields, e.g. "*/15 * * * *"')
    .default('*/15 * * * *'),
);

const timeZoneVar = z.preprocess(
  unsetIfBlank,
  z.string().trim().refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as UTC or Asia/Shanghai').default('UTC'),
);

const envSchema = z.object({
  DATABASE_URL: z.preprocess(unsetIfBlank, urlWithScheme(['postgres', 'postgresql']).optional()),
  SWAS_DATA_DIR: z.preprocess(unsetIfBlank, z.string().default('./.swas-inventory')),
  REDIS_URL: z.preprocess(unsetIfBlank, urlWithScheme(['redis', 'rediss']).default('redis://127.0.0.1:6379')),
  REDIS_CLUSTER_NODES: z.preprocess(unsetIfBlank, z.string().transform((v, ctx) => {
    try {
      return parseRedisNodes(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }).optional()),
  REDIS_CA_FILE: optionalText,
  SWAS_ENDPOINT: endpointVar,
  SWAS_CA_FILE: optionalText,
  SWAS_REGIONS: regionsVar,
  SWAS_CONFIG: optionalText,
  SWAS_PAGE_SIZE: intVar(100, 1, 100),
  SWAS_READ_TIMEOUT_MS: intVar(10_000, 1, 600_000),
  SWAS_CONNECT_TIMEOUT_MS: intVar(5_000, 1, 600_000),
  SWAS_LISTING_ATTEMPTS: intVar(3, 1, 20),
  SYNC_CRON: cronVar,
  SYNC_TZ: timeZoneVar,
  HTTP_PORT: intVar(9090, 0, 65_535),
  HTTP_HOST: z.preprocess(unsetIfBlank, z.string().trim().regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or IP address, e.g. 127.0.0.1 or 0.0.0.0').default('127.0.0.1')),
  LOG_LEVEL: z.preprocess(
    (v) => (typeof unsetIfBlank(v) === 'string' ? String(v).trim().toLowerCase() : undefined),
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  SWAS_CALLS_PER_SECOND: positiveNumberVar(5),
  WORKER_CONCURRENCY: intVar(64, 1, 1000),
  QUEUE_PREFIX: z.preprocess(unsetIfBlank, z.string().trim().regex(/^[^\s:]+$/, 'must be non-empty with no spaces or colons').default('swas')),
  SWAS_DATA_DIR_WAIT_MS: intVar(30_000, 0, 3_600_000),
  SWAS_RETENTION_DAYS: intVar(90, 0, 36_500),
  CONSOLE_TOKEN: z.preprocess(unsetIfBlank, z.string().trim().min(16, 'must be at least 16 characters (e.g. openssl rand -hex 24)').optional()),
});

/** Thrown when the environment is invalid; `issues` name each variable. Exit 2. */
export class ConfigError extends ConfigurationError {
  override name = 'ConfigError';
  constructor(readonly issues: string[]) {
    super(`Invalid configuration; fix these environment variables:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
  }
}

/** Formats zod issues as `VAR: problem`, without echoing values (a URL may carry a password). */
export function formatIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    return `${prefix}${path === '' ? '(root)' : path}: ${issue.message}`;
  });
}

/** Reads and validates the environment. Pure apart from reading `env`; call once at start-up. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error));
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL ?? null,
    dataDir: e.SWAS_DATA_DIR,
    redisUrl: e.REDIS_URL,
    redisClusterNodes: e.REDIS_CLUSTER_NODES ?? null,
    redisCaFile: e.REDIS_CA_FILE ?? null,
    endpoint: e.SWAS_ENDPOINT ?? null,
    caFile: e.SWAS_CA_FILE ?? null,
    regions: e.SWAS_REGIONS ?? null,
    accountsFile: e.SWAS_CONFIG ?? null,
    pageSize: e.SWAS_PAGE_SIZE,
    readTimeoutMs: e.SWAS_READ_TIMEOUT_MS,
    connectTimeoutMs: e.SWAS_CONNECT_TIMEOUT_MS,
    listingAttempts: e.SWAS_LISTING_ATTEMPTS,
    syncCron: e.SYNC_CRON,
    syncTz: e.SYNC_TZ,
    httpPort: e.HTTP_PORT,
    httpHost: e.HTTP_HOST,
    logLevel: e.LOG_LEVEL,
    callsPerSecond: e.SWAS_CALLS_PER_SECOND,
    workerConcurrency: e.WORKER_CONCURRENCY,
    queuePrefix: e.REDIS_CLUSTER_NODES !== undefined ? hashTagged(e.QUEUE_PREFIX) : e.QUEUE_PREFIX,
    dataDirWaitMs: e.SWAS_DATA_DIR_WAIT_MS,
    retentionDays: e.SWAS_RETENTION_DAYS,
    consoleToken: e.CONSOLE_TOKEN ?? null,
  };
}

/** True when the prefix is a Redis Cluster hash tag (`{...}` with something inside). */
export function isHashTagPrefix(prefix: string): boolean {
  return /^\{[^{}]+\}$/.test(prefix);
}

/** `{prefix}` unless it already is a hash tag: Redis Cluster then hashes only what is inside the braces. */
export function hashTagged(prefix: string): string {
  return isHashTagPrefix(prefix) ? prefix : `{${prefix}}`;
}
