/**
 * Bull Board must actually render, not just answer 200: load it in headless Chromium (Debian's
 * `chromium` package, driven by playwright-core; no browser download) and wait for the queues.
 *
 * Finding Chromium: $CHROMIUM_PATH, else /usr/bin/chromium, else /usr/bin/chromium-browser.
 * Without one the test is skipped with a loud notice, so `npm test` passes on a machine with only
 * Postgres and Redis; with CI set (as .ci/run does, after installing chromium) it is required.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { DatabaseHandle } from '../../src/db/database.js';
import { enqueueRun, waitForRun } from '../../src/worker/enqueue-run.js';
import type { WorkerHandle } from '../../src/worker/start-worker.js';
import { launchChromium, skipBrowserTests } from '../helpers/chromium.js';
import { createTestDatabase } from '../helpers/databases.js';
import { uniquePrefix } from '../helpers/redis.js';
import { deletePrefix, startTestWorker, startWorld, workerConfig, type World } from './worker-test-kit.js';

describe.skipIf(skipBrowserTests('the Bull Board browser test'))('Bull Board in a browser', () => {
  let world: World;
  let db: DatabaseHandle;
  let handle: WorkerHandle;
  let browser: Browser | undefined;
  const prefix = uniquePrefix('board');

  beforeAll(async () => {
    world = await startWorld({ accounts: 1, regions: ['cn-hangzhou', 'cn-beijing'], imagesPerRegion: 1 });
    db = await createTestDatabase('postgres');
    handle = await startTestWorker(world, workerConfig(world, db.url!, prefix), { database: db, httpPort: 0 });
    const { runId } = await enqueueRun(handle.runsQueue);
    await waitForRun(db.db, runId, { timeoutMs: 30_000, pollMs: 100 });
  });
  afterAll(async () => {
    await browser?.close();
    await handle?.close();
    await deletePrefix(prefix);
    await db?.close();
    await world?.emu.stop();
  });

  it('renders the queue overview and a queue\'s completed jobs', async () => {
    browser = await launchChromium();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    const base = `http://127.0.0.1:${handle.http!.port}/admin/queues`;

    await page.goto(base);
    await page.getByText('sync-regions').first().waitFor({ timeout: 20_000 });
    await page.getByText('sync-runs').first().waitFor({ timeout: 20_000 });
    expect(await page.title()).toContain('swas-inventory');

    await page.goto(`${base}/queue/sync-regions?status=completed`);
    // The job cards load after the page shell: wait for the account job's id (it names the account).
    await page.getByText(/account~.*~acct0/).first().waitFor({ timeout: 20_000 });
    const body = await page.textContent('body');
    expect(body).toMatch(/account~[0-9a-f-]+~acct0/);
    expect(errors).toEqual([]);
  }, 60_000);
});
