/**
 * A worker whose accounts file names an invalid subscription URL exits 2 at once with the accounts
 * file's one error (issue 22 #14): it used to print the error and keep running (the database pool
 * and Redis connections it had already opened held the process), while `sync --notify` and
 * `notifications status` exited 2. The built worker process, against a real database and Redis, so
 * there is something open that could hold it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabaseUrl } from '../helpers/databases.js';
import { uniquePrefix } from '../helpers/redis.js';
import { killWorker, spawnWorker } from '../helpers/worker-process.js';
import { startWorld, type World } from './worker-test-kit.js';

/** A start-up is seconds; a worker that kept running would still be running long after this. */
const EXIT_WITHIN_MS = 30_000;
const SECRET = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;

describe('worker with an invalid subscription URL in the accounts file', () => {
  let world: World;
  let database: { url: string; drop: () => Promise<void> };

  beforeAll(async () => {
    world = await startWorld({ accounts: 1, regions: ['cn-hangzhou'], imagesPerRegion: 1 });
    database = await createTestDatabaseUrl();
  });
  afterAll(async () => {
    await database?.drop();
    await world?.emu.stop();
  });

  it.each(['not a url', 'htp://127.0.0.1:8080/hook', 'http://127.0.0.1:99999/x'])('exits 2 at once, with one line naming the file and the field: %s', async (url) => {
    const proc = spawnWorker(world, database.url, uniquePrefix('badsub'), ['--no-schedule'], {
      subscriptions: [{ name: 'ops', url, secretEnv: 'OPS_HOOK_SECRET' }],
      env: { OPS_HOOK_SECRET: SECRET },
    });
    try {
      const timer = new Promise<'still running'>((r) => setTimeout(() => r('still running'), EXIT_WITHIN_MS).unref());
      const ended = await Promise.race([proc.exited, timer]);
      expect(ended, proc.logs()).toEqual({ code: 2, signal: null });
      expect(proc.logs()).toMatch(/accounts\.json.*subscriptions\.0\.url/s);
      expect(proc.logs()).not.toMatch(/worker started|\n\s+at /);
    } finally {
      await killWorker(proc);
    }
  });
});
