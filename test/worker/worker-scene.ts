/**
 * The stage of a worker-process scenario (coverage after a kill, signals): one emulated world for
 * the file, and per test a fresh database, a fresh Redis prefix, the worker process the test
 * starts and the in-process worker it may start after it, all stopped after each test (the process
 * killed if still alive) whatever the test's outcome.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.js';
import type { WorkerHandle } from '../../src/worker/start-worker.js';
import { createTestDatabase } from '../helpers/databases.js';
import { openTestQueues, type TestQueues } from '../helpers/redis.js';
import { killWorker, type WorkerProcess } from '../helpers/worker-process.js';
import { startWorld, type World } from './worker-test-kit.js';

export interface WorkerScene {
  /** The file's world (set once its beforeAll ran). */
  readonly world: World;
  /** The worker process a test started; killed after the test if still alive. */
  proc: WorkerProcess | undefined;
  /** An in-process worker a test started; closed after the test. */
  inProcess: WorkerHandle | undefined;
  /** A fresh database and Redis prefix for this test (`label` names the prefix). */
  setUp(label: string): Promise<{ world: World; db: DatabaseHandle; queues: TestQueues }>;
}

/** Registers the file's hooks; call it in a describe block. */
export function useWorkerScene(seed: Parameters<typeof startWorld>[0]): WorkerScene {
  let world: World | undefined;
  let db: DatabaseHandle | undefined;
  let queues: TestQueues | undefined;
  const scene: WorkerScene = {
    get world() {
      if (!world) throw new Error('the scene\'s world is not started yet (use it inside a test)');
      return world;
    },
    proc: undefined,
    inProcess: undefined,
    async setUp(label) {
      db = await createTestDatabase('postgres');
      queues = openTestQueues(label);
      return { world: scene.world, db, queues };
    },
  };
  beforeAll(async () => { world = await startWorld(seed); });
  afterEach(async () => {
    await killWorker(scene.proc);
    scene.proc = undefined;
    await scene.inProcess?.close();
    scene.inProcess = undefined;
    await queues?.close();
    queues = undefined;
    await db?.close();
    db = undefined;
    world?.emu.clearFaults();
  });
  afterAll(async () => { await world?.emu.stop(); });
  return scene;
}
