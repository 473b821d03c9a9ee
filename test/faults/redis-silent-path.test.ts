// @long-running: 60 s of silence on the Redis path
/**
 * A silent network path between a worker and Redis (issue 20): a loopback TCP proxy in front of a
 * private redis-server stops forwarding for 60 s without closing anything (bytes held, as a path
 * dropping packets holds them in TCP's retransmissions), mid-run, then forwards again. The worker
 * notices within its bounded waits (socket timeout 20 s; /readyz's 2 s), loses nothing, records
 * nothing twice and resumes by itself; the inventory is exact afterwards.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { DatabaseHandle } from '../../src/db/database.js';
import { createLogger } from '../../src/ops/logger.js';
import type { PlanJobData } from '../../src/worker/job-data.js';
import { RUNS_QUEUE } from '../../src/worker/queue-names.js';
import { SOCKET_TIMEOUT_MS } from '../../src/worker/redis-connection.js';
import type { WorkerHandle } from '../../src/worker/start-worker.js';
import { createTestDatabase } from '../helpers/databases.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-services.js';
import { startSilentableProxy } from '../helpers/silent-proxy.js';
import { startTestWorker, startWorld, waitFor, workerConfig, type World } from '../worker/worker-test-kit.js';
import { runSilentPathScenario } from './silent-path-scenario.js';
import { SummaryRecorder } from './summary.js';

const rec = new SummaryRecorder(import.meta.filename);

describe('fault matrix: a silent network path to Redis', () => {
  let redis: PrivateRedis;
  let world: World;
  let db: DatabaseHandle;
  let handle: WorkerHandle | undefined;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    world = await startWorld({ accounts: 2, regions: ['cn-hangzhou', 'cn-shanghai', 'cn-beijing'], imagesPerRegion: 3 });
    db = await createTestDatabase('postgres');
  });
  afterAll(async () => {
    rec.flush();
    await handle?.close();
    await db?.close();
    await world?.emu.stop();
    await redis?.stop();
  });

  rec.scenario('60 s of silence on the Redis path mid-run: noticed within the socket timeout, nothing lost or doubled, resumes by itself', async () => {
    const proxy = await startSilentableProxy(redis.port);
    let logText = '';
    const logger = createLogger({ level: 'info', pretty: false, destination: new Writable({ write(chunk: Buffer, _e, done) { logText += chunk.toString('utf8'); done(); } }) });
    const lines = () => logText.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { msg: string; time: number; err?: string });
    // The test's own queue talks to Redis directly, not through the path under test.
    const direct = new Redis(redis.url, { maxRetriesPerRequest: null });
    const runs = new Queue<PlanJobData>(RUNS_QUEUE, { connection: direct, prefix: 'swas' });
    try {
      const config = { ...workerConfig(world, db.url!, 'swas'), redisUrl: `redis://127.0.0.1:${proxy.port}` };
      handle = await startTestWorker(world, config, { database: db, logger, httpPort: 0, tuning: { concurrency: 2 } });
      const readyz = async () => (await fetch(`http://127.0.0.1:${handle!.http!.port}/readyz`)).status;
      await runSilentPathScenario({
        world, db: db.db, runs, proxy, eventStats: rec.eventStats, label: '[redis-silent-path]',
        whileSilent: async (silentAt) => {
          expect(await readyz()).toBe(503);
          const noticed = await waitFor('the worker to drop a silent connection', async () =>
            lines().find((l) => l.time >= silentAt && /Socket timeout/.test(l.err ?? '')), SOCKET_TIMEOUT_MS + 30_000, 200);
          process.stderr.write(`[redis-silent-path] first socket timeout logged ${noticed.time - silentAt} ms after the path went silent\n`);
        },
        onResume: async (resumedAt) => {
          await waitFor('/readyz 200 again', async () => (await readyz()) === 200, 60_000, 200);
          process.stderr.write(`[redis-silent-path] /readyz 200 again ${Date.now() - resumedAt} ms after the path came back\n`);
        },
      });
    } finally {
      await handle?.close();
      handle = undefined;
      await runs.close();
      direct.disconnect();
      await proxy.close();
    }
  }, 300_000);
});
