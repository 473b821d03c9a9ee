/**
 * The product's modules loaded from a given `src/` folder (the current tree or a baseline commit
 * extracted by baseline-tree.ts), so one child script measures either side by side. Typed by the
 * current tree: the entry points used here keep their shape across the compared commits.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Env = typeof import('../../src/config/env.js');
type Clients = typeof import('../../src/cloud/swas-client.js');
type Pages = typeof import('../../src/cloud/list-custom-images.js');
type Regions = typeof import('../../src/cloud/list-regions.js');
type OpenDb = typeof import('../../src/db/open-database.js');
type Logger = typeof import('../../src/ops/logger.js');
type RunSync = typeof import('../../src/sync/run-sync.js');
type StartWorker = typeof import('../../src/worker/start-worker.js');
type Enqueue = typeof import('../../src/worker/enqueue-run.js');

const load = <T>(src: string, path: string): Promise<T> => import(pathToFileURL(join(src, path)).href) as Promise<T>;

export async function syncModules(src: string) {
  const [env, clients, pages, regions, openDb, logger, runSync] = await Promise.all([
    load<Env>(src, 'config/env.ts'), load<Clients>(src, 'cloud/swas-client.ts'), load<Pages>(src, 'cloud/list-custom-images.ts'),
    load<Regions>(src, 'cloud/list-regions.ts'), load<OpenDb>(src, 'db/open-database.ts'), load<Logger>(src, 'ops/logger.ts'),
    load<RunSync>(src, 'sync/run-sync.ts'),
  ]);
  return { ...env, ...clients, ...pages, ...regions, ...openDb, ...logger, ...runSync };
}

export async function workerModules(src: string) {
  const [env, logger, start, enqueue] = await Promise.all([
    load<Env>(src, 'config/env.ts'), load<Logger>(src, 'ops/logger.ts'),
    load<StartWorker>(src, 'worker/start-worker.ts'), load<Enqueue>(src, 'worker/enqueue-run.ts'),
  ]);
  return { ...env, ...logger, ...start, ...enqueue };
}
