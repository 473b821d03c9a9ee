import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseEndpoint } from '../../src/config/env.js';

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('REDIS_CLUSTER_NODES: seed nodes parsed, the queue prefix hash-tagged, bad entries named', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.5:7000, redis-b.internal:7001,[::1]:7002' })).toMatchObject({
      redisClusterNodes: [{ host: '10.0.0.5', port: 7000 }, { host: 'redis-b.internal', port: 7001 }, { host: '::1', port: 7002 }],
      queuePrefix: '{swas}',
    });
    expect(loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000', QUEUE_PREFIX: '{prod}' }).queuePrefix).toBe('{prod}');
    expect(loadConfig({ QUEUE_PREFIX: 'prod' }).queuePrefix).toBe('prod');
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1' })).toThrow(/REDIS_CLUSTER_NODES: "127.0.0.1" is not host:port/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'h:70000' })).toThrow(/REDIS_CLUSTER_NODES: "h:70000" is not host:port/);
  });

  it('applies every documented default to an empty environment', () => {
    expect(loadConfig({})).toEqual({
      databaseUrl: null,
      dataDir: './.swas-inventory',
      redisUrl: 'redis://127.0.0.1:6379',
      redisClusterNodes: null,
      redisCaFile: null,
      endpoint: null,
      caFile: null,
      regions: null,
      accountsFile: null,
      pageSize: 100,
      readTimeoutMs: 10_000,
      connectTimeoutMs: 5_000,
      listingAttempts: 3,
      syncCron: '*/15 * * * *',
      syncTz: 'UTC',
      httpPort: 9090,
      httpHost: '127.0.0.1',
      logLevel: 'info',
      callsPerSecond: 5,
      workerConcurrency: 64,
      queuePrefix: 'swas',
      dataDirWaitMs: 30_000,
      retentionDays: 90,
      consoleToken: null,
    });
  });

  it('reads SWAS_RETENTION_DAYS: 0 keeps everything, anything but a whole number of days is refused', () => {
    expect(loadConfig({ SWAS_RETENTION_DAYS: '0' }).retentionDays).toBe(0);
    expect(loadConfig({ SWAS_RETENTION_DAYS: ' 30 ' }).retentionDays).toBe(30);
    for (const bad of ['-1', '1.5', 'ninety', '36501']) {
      expect(() => loadConfig({ SWAS_RETENTION_DAYS: bad }), bad).toThrow(/SWAS_RETENTION_DAYS: must/);
    }
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ SWAS_PAGE_SIZE: '', REDIS_URL: '  ', SWAS_ENDPOINT: '' })).toMatchObject({ pageSize: 100, redisUrl: 'redis://127.0.0.1:6379', endpoint: null });
  });

  it('reads explicit values', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@db:5432/inv',
      SWAS_ENDPOINT: 'http://127.0.0.1:9100',
      SWAS_REGIONS: ' cn-hangzhou, ap-southeast-1 ,cn-hangzhou',
      SWAS_CONFIG: '/etc/swas/accounts.json',
      SWAS_PAGE_SIZE: '50',
      SWAS_CALLS_PER_SECOND: '0.5',
      LOG_LEVEL: 'DEBUG',
      SYNC_TZ: 'Asia/Shanghai',
      QUEUE_PREFIX: '{swas}',
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgres://u:p@db:5432/inv',
      endpoint: { protocol: 'http', host: '127.0.0.1:9100' },
      regions: ['cn-hangzhou', 'ap-southeast-1'],
      accountsFile: '/etc/swas/accounts.json',
      pageSize: 50,
      callsPerSecond: 0.5,
      logLevel: 'debug',
      syncTz: 'Asia/Shanghai',
      queuePrefix: '{swas}',
    });
  });

  it.each([
    ['SWAS_PAGE_SIZE', '101', 'at most 100'],
    ['SWAS_PAGE_SIZE', '0', 'at least 1'],
    ['SWAS_PAGE_SIZE', 'ten', 'whole number'],
    ['SWAS_READ_TIMEOUT_MS', '-5', 'whole number'],
    ['SWAS_LISTING_ATTEMPTS', '0', 'at least 1'],
    ['HTTP_PORT', '70000', 'at most 65535'],
    ['SWAS_ENDPOINT', 'ftp://127.0.0.1:9100', 'http or https'],
    ['SWAS_ENDPOINT', 'http://127.0.0.1:9100/api', 'scheme://host'],
    ['SWAS_REGIONS', 'cn-hangzhou,Not A Region', 'not region ids'],
    ['SWAS_REGIONS', ' , ', 'lists no region'],
    ['DATABASE_URL', 'mysql://x', 'postgres://'],
    ['REDIS_URL', 'http://x', 'redis://'],
    ['SYNC_CRON', 'every minute', 'cron fields'],
    ['SYNC_TZ', 'Mars/Olympus', 'IANA time zone'],
    ['LOG_LEVEL', 'loud', 'info'],
    ['SWAS_CALLS_PER_SECOND', '0', 'greater than 0'],
    ['WORKER_CONCURRENCY', '1.5', 'whole number'],
    ['QUEUE_PREFIX', 'a:b', 'colons'],
  ])('rejects %s=%s naming the variable', (name, value, hint) => {
    const err = configError({ [name]: value });
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatch(new RegExp(`^${name}: `));
    expect(err.message).toContain(hint);
  });

  it('reports every bad variable at once and never echoes a value (URLs may hold passwords)', () => {
    const err = configError({ DATABASE_URL: 'mysql://user:hunter2@db', SWAS_PAGE_SIZE: '500' });
    expect(err.issues.map((i) => i.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'SWAS_PAGE_SIZE']);
    expect(err.message).not.toContain('hunter2');
  });

  it('does not read process.env at import time: the argument is the only input', () => {
    expect(loadConfig({ SWAS_PAGE_SIZE: '7' }).pageSize).toBe(7);
  });
});

describe('parseEndpoint', () => {
  it('keeps the port in the host, as the SDK sends it in the host header', () => {
    expect(parseEndpoint('http://localhost:9100')).toEqual({ protocol: 'http', host: 'localhost:9100' });
    expect(parseEndpoint('https://swas.cn-hangzhou.aliyuncs.com')).toEqual({ protocol: 'https', host: 'swas.cn-hangzhou.aliyuncs.com' });
  });

  it('means https when no scheme is given', () => {
    expect(parseEndpoint('proxy.internal:8443')).toEqual({ protocol: 'https', host: 'proxy.internal:8443' });
  });
});
