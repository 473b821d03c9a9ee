/**
 * Every Redis connection of the worker and of `enqueue` is made here, so each one gets the same
 * topology (one node, or a Redis Cluster with REDIS_CLUSTER_NODES), the same TLS (rediss:// with
 * REDIS_CA_FILE) and the same bounded waits:
 * - connect: CONNECT_TIMEOUT_MS (10 s) for the TCP (and TLS) handshake;
 * - a reply: once a command is sent, a socket that receives nothing for SOCKET_TIMEOUT_MS (20 s:
 *   above BullMQ's longest blocking wait, 10 s) is destroyed and the client reconnects, re-sending
 *   the commands it had in flight (a silent network path: packets dropped, nothing closed);
 * - keep-alive: TCP keep-alive probes after KEEP_ALIVE_MS idle, so an idle connection through a
 *   dead path is found too;
 * - one-shot clients (`enqueue`, the start-up probes) also give every command COMMAND_TIMEOUT_MS.
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Config } from '../config/env.js';
import { readSettingFile } from '../config/read-setting-file.js';
import { maskUrl } from '../ops/mask-url.js';
import { CONNECT_TIMEOUT_MS, ServiceUnavailableError, shortReason, withDeadline } from '../ops/service-unavailable.js';

/** A connection to a single Redis or to a Redis Cluster: everything of ours works on either. */
export type RedisClient = Redis | Cluster;

/** What says where Redis is and how to talk to it (config/env.ts). */
export type RedisSettings = Pick<Config, 'redisUrl' | 'redisClusterNodes' | 'redisCaFile'>;

export type RedisRole = 'worker' | 'client';

export const SOCKET_TIMEOUT_MS = 20_000;
export const KEEP_ALIVE_MS = 10_000;
export const COMMAND_TIMEOUT_MS = 10_000;

/** Where Redis is, for messages: the URL (password masked) or the cluster's seed nodes, and the variable that says so. */
export function describeRedis(settings: RedisSettings): { address: string; envVar: string } {
  if (settings.redisClusterNodes !== null) {
    return { address: `cluster ${settings.redisClusterNodes.map((n) => `${n.host}:${n.port}`).join(',')}`, envVar: 'REDIS_CLUSTER_NODES' };
  }
  return { address: maskUrl(settings.redisUrl), envVar: 'REDIS_URL' };
}

/** The per-node options every connection shares: credentials and TLS from REDIS_URL, the CA file, the bounded waits. */
export function nodeOptions(settings: RedisSettings, role: RedisRole | 'probe'): RedisOptions {
  const url = new URL(settings.redisUrl);
  const tls = url.protocol === 'rediss:' || settings.redisCaFile !== null;
  return {
    ...(url.username !== '' ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password !== '' ? { password: decodeURIComponent(url.password) } : {}),
    ...(settings.redisClusterNodes === null && url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
    ...(tls ? { tls: settings.redisCaFile !== null ? { ca: readSettingFile('REDIS_CA_FILE', settings.redisCaFile) } : {} } : {}),
    // BullMQ workers need `maxRetriesPerRequest: null`: their blocking calls must wait through a
    // Redis restart instead of failing after 20 retries. One-shot clients fail fast instead.
    maxRetriesPerRequest: role === 'worker' ? null : role === 'client' ? 2 : 0,
    enableOfflineQueue: role !== 'probe',
    // Reconnect quickly at first, then at most every 2 s while Redis is down.
    retryStrategy: role === 'probe' ? () => null : (times) => Math.min(times * 100, 2_000),
    connectionName: `swas-inventory-${role}`,
    connectTimeout: CONNECT_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    keepAlive: KEEP_ALIVE_MS,
    // A worker's commands cannot have a deadline: BullMQ's blocking calls wait for jobs on purpose
    // (the socket timeout bounds them instead).
    ...(role !== 'worker' ? { commandTimeout: COMMAND_TIMEOUT_MS } : {}),
  };
}

/**
 * One ioredis connection: a Cluster client with REDIS_CLUSTER_NODES (the slots' owners are learned
 * from the nodes and followed through failovers and MOVED answers), else one node at REDIS_URL.
 */
export function createRedisConnection(settings: RedisSettings, role: RedisRole | 'probe' = 'worker', onError?: (err: Error) => void, lazyConnect = false): RedisClient {
  const options = nodeOptions(settings, role);
  let redis: RedisClient;
  if (settings.redisClusterNodes !== null) {
    const { maxRetriesPerRequest, enableOfflineQueue, retryStrategy, ...redisOptions } = options;
    const clusterOptions: ClusterOptions = {
      redisOptions,
      ...(maxRetriesPerRequest !== undefined ? { maxRetriesPerRequest } : {}),
      ...(enableOfflineQueue !== undefined ? { enableOfflineQueue } : {}),
      ...(retryStrategy ? { clusterRetryStrategy: (times: number) => retryStrategy(times) ?? null } : {}),
      // A node that fails over answers MOVED / TRYAGAIN / CLUSTERDOWN for a moment: follow, retry.
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 300,
      retryDelayOnTryAgain: 200,
      // TLS certificates name the host the client dials; the nodes announce addresses, not names.
      ...(options.tls !== undefined ? { dnsLookup: (address: string, callback: (err: null, address: string) => void) => callback(null, address) } : {}),
      lazyConnect,
    };
    redis = new Cluster(settings.redisClusterNodes, clusterOptions);
  } else {
    const url = new URL(settings.redisUrl);
    redis = new Redis({ ...options, host: url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1', port: Number(url.port || 6379), lazyConnect });
  }
  // ioredis reconnects by itself; the listener only reports (without one it prints to the console).
  redis.on('error', onError ?? (() => {}));
  return redis;
}

/**
 * The masters of a cluster, or the one node: what per-server checks (the eviction policy) must read.
 * A cluster client knows its masters once it has loaded the slots (`ready`), so this waits for that.
 */
export async function serversOf(redis: RedisClient): Promise<Redis[]> {
  if (!(redis instanceof Cluster)) return [redis];
  if (redis.status !== 'ready') {
    await withDeadline(new Promise((resolve) => redis.once('ready', resolve)), CONNECT_TIMEOUT_MS,
      () => new Error(`the cluster client was not ready within ${CONNECT_TIMEOUT_MS} ms`));
  }
  return redis.nodes('master');
}

/** Closes a connection, waiting for pending replies; falls back to disconnect if Redis is gone. */
export async function closeRedis(redis: RedisClient): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await Promise.race([redis.quit(), new Promise((_, reject) => setTimeout(() => reject(new Error('quit timeout')), 2_000))]);
  } catch {
    redis.disconnect();
  }
}

/**
 * Resolves once Redis answers PING (every master of a cluster); else throws a ServiceUnavailableError
 * (one line naming Redis, the variable and the reason: refused, a TLS failure, no answer) within about `timeoutMs`.
 */
export async function assertRedisReachable(settings: RedisSettings, timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
  const probe = createRedisConnection(settings, 'probe', undefined, true);
  let lastError: unknown = null;
  probe.on('error', (err: unknown) => { lastError = err; });
  // A cluster's nodes report their own errors on the cluster as `node error` with the cause inside.
  probe.on('node error', (err: unknown) => { lastError = err; });
  try {
    await withDeadline((async () => {
      await probe.connect();
      await Promise.all((await serversOf(probe)).map((node) => node.ping()));
    })(), timeoutMs, () => new Error(`no answer within ${timeoutMs} ms${lastError !== null ? ` (${shortReason(lastError)})` : ''}`));
  } catch (err) {
    const { address, envVar } = describeRedis(settings);
    // ioredis rejects with "Connection is closed"; the socket's own error (ECONNREFUSED, a certificate's) says more.
    throw new ServiceUnavailableError('Redis', address, envVar, shortReason(lastError ?? err));
  } finally {
    probe.disconnect();
  }
}
