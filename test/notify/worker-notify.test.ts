/**
 * The worker's notifier queue, in-process against real Postgres, Redis, the emulator and a local
 * receiver: a run's events are delivered right after its region jobs commit; job data and
 * metrics carry the subscription's name, never its URL or secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabaseUrl } from '../helpers/databases.js';
import { uniquePrefix } from '../helpers/redis.js';
import { startWebhookReceiver, testSecret, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { deletePrefix, startTestWorker, startWorld, waitFor, workerConfig, type World } from '../worker/worker-test-kit.js';
import { enqueueRun } from '../../src/worker/enqueue-run.js';
import type { WorkerHandle } from '../../src/worker/start-worker.js';
import { subscription } from './notify-fixtures.js';

describe('worker notifier queue', () => {
  let world: World;
  let receiver: WebhookReceiver;
  let db: { url: string; drop: () => Promise<void> };
  let worker: WorkerHandle;
  const prefix = uniquePrefix();
  const secret = testSecret();

  beforeAll(async () => {
    world = await startWorld({ accounts: 1, regions: ['cn-hangzhou', 'cn-shanghai'], imagesPerRegion: 3 });
    receiver = await startWebhookReceiver(secret);
    db = await createTestDatabaseUrl();
    const sub = subscription('all', `${receiver.url}?token=url-credential`, secret, { backoff: { baseMs: 50, maxMs: 500 } });
    worker = await startTestWorker(world, workerConfig(world, db.url, prefix), { subscriptions: [sub], tuning: { notifyPollMs: 500 } });
  });
  afterAll(async () => {
    await worker?.close();
    await receiver?.close();
    await world?.emu.stop();
    await db?.drop();
    await deletePrefix(prefix);
  });

  it('delivers every event of a run, then the next run\'s changes, in order per image', async () => {
    await enqueueRun(worker.runsQueue);
    await waitFor('6 created events delivered', async () => receiver.accepted().length >= 6);
    expect(receiver.accepted().map((r) => (r.body as { data: { kind: string } }).data.kind)).toEqual(Array(6).fill('created'));

    const [img] = world.emu.images();
    if (!img) throw new Error('no image');
    world.emu.updateImage(img.imageId, { status: img.status === '3' ? '1' : '3' });
    receiver.answer = ({ count }) => (count === 6 ? { status: 500 } : { status: 204 });
    await enqueueRun(worker.runsQueue);
    await waitFor('the status change delivered after a 500', async () => receiver.accepted().length >= 7);
    const last = receiver.accepted().at(-1)?.body as { data: { kind: string; image: { id: string } } };
    expect(last.data).toMatchObject({ kind: 'status_changed', image: { id: img.imageId } });
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    expect(new Set(receiver.accepted().map((r) => r.webhookId)).size).toBe(7);
  });

  it('keeps URL and secret out of job data and metrics', async () => {
    // The receiver counts a delivery when it answers; the worker counts it once it has read that
    // answer, so the counter can trail the receiver by a moment. The lag gauge is read from the
    // database at scrape time within the scrape's time limit, and a read past it leaves the gauge
    // as the last scrape saw it (or absent): with two busy loops beside the suite, the scrape
    // after the 7th delivery did not show lag 0. So wait for both.
    await waitFor('the 7th delivery counted and no lag', async () => {
      const text = await worker.metrics.registry.metrics();
      return /swas_webhook_deliveries_total\{subscription="all",outcome="delivered"\} 7/.test(text) &&
        /swas_webhook_lag_events\{subscription="all"\} 0/.test(text);
    });
    const jobs = await worker.notify?.queue.getJobs(['waiting', 'delayed', 'completed', 'failed', 'active']);
    const text = JSON.stringify(jobs?.map((j) => j.data));
    const metrics = await worker.metrics.registry.metrics();
    for (const leak of [secret, 'url-credential', String(receiver.port)]) {
      expect(text).not.toContain(leak);
      expect(metrics).not.toContain(leak);
    }
    expect(metrics).toMatch(/swas_webhook_deliveries_total\{subscription="all",outcome="delivered"\} 7/);
    expect(metrics).toMatch(/swas_webhook_lag_events\{subscription="all"\} 0/);
  });
});
