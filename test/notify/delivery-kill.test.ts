// @long-running: a worker process killed mid-delivery, then another
/**
 * Fault scenario: a `swas-inventory worker` PROCESS SIGKILLed mid-delivery. The receiver holds
 * every request open, so at the kill the process has requests in flight (leased in the database)
 * and more events queued behind them, some for the same images. A new worker process must
 * deliver every expected (filtered) event: none missing, none unexpected, per-image order kept,
 * every request verified by the stock `standardwebhooks` library, and the duplicates (the held
 * requests the receiver did get, sent again once their lease expired) only under the same
 * webhook-id. Figures: a `delivery-fault-figures` line (docs/RELIABILITY.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queue } from 'bullmq';
import postgres from 'postgres';
import { enqueueRun } from '../../src/worker/enqueue-run.js';
import type { PlanJobData } from '../../src/worker/job-data.js';
import { createTestDatabaseUrl } from '../helpers/databases.js';
import { openTestQueues, type TestQueues } from '../helpers/redis.js';
import { startWebhookReceiver, testSecret, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { killWorker, startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';
import { startWorld, waitFor, type World } from '../worker/worker-test-kit.js';
import { checkDelivered, runFinished, runWithDeliveriesHeld } from './delivery-truth.js';

const KINDS = ['created', 'status_changed', 'deleted'] as const;
const report = (scenario: string, figures: object) => console.log(`delivery-fault-figures ${JSON.stringify({ scenario, ...figures })}`);

describe('fault matrix: a worker process SIGKILLed mid-delivery', () => {
  let world: World;
  let receiver: WebhookReceiver;
  let db: { url: string; drop: () => Promise<void> };
  let queues: TestQueues | undefined;
  let prefix: string;
  let runs: Queue<PlanJobData>;
  const procs: WorkerProcess[] = [];
  const secret = testSecret();

  beforeAll(async () => {
    world = await startWorld({ accounts: 1, regions: ['cn-hangzhou', 'cn-shanghai'], imagesPerRegion: 4 });
    receiver = await startWebhookReceiver(secret);
    db = await createTestDatabaseUrl();
    queues = openTestQueues('dkill');
    ({ prefix, runs } = queues);
  });
  afterAll(async () => {
    for (const p of procs) await killWorker(p);
    await queues?.close();
    await receiver?.close();
    await world?.emu.stop();
    await db?.drop();
  });

  const start = async (): Promise<WorkerProcess> => {
    // `updated` (renames) is filtered out: the judgement counts only what the subscription wants.
    // Lease = 2 x timeout + 1 s = 7 s: the killed process's requests go out again after that.
    const subscriptions = [{
      name: 'kill', url: receiver.url, secretEnv: 'KILL_HOOK_SECRET', kinds: KINDS,
      timeoutMs: 3_000, maxAttempts: 50, backoff: { baseMs: 100, maxMs: 1_000 }, concurrency: 4, ratePerSecond: 1_000,
    }];
    // Ready once both the worker and its notifier said so.
    const p = await startWorkerProcess(world, db.url, prefix, ['--no-schedule', '--lock-duration', '2000', '--stalled-interval', '700'],
      { subscriptions, env: { KILL_HOOK_SECRET: secret } });
    procs.push(p);
    return p;
  };
  /** Deliveries still pending (state), or leased right now (`leasedOnly`). */
  const pendingRows = async (leasedOnly = false): Promise<number> => {
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from swas.notification_deliveries where state = 'pending' and (not ${leasedOnly} or lease_until > now())`;
      return row?.n ?? 0;
    } finally {
      await sql.end({ timeout: 5 });
    }
  };

  it('a new worker process delivers everything; duplicates only under the same webhook-id', async () => {
    const victim = await start();
    const { release } = await runWithDeliveriesHeld(receiver, runs, db.url);
    // More events behind the held ones, some for the same images: order must survive the kill.
    const [a, b, c, d] = world.emu.images().sort((x, y) => (x.imageId < y.imageId ? -1 : 1));
    if (!a || !b || !c || !d) throw new Error('too few images');
    world.emu.updateImage(a.imageId, { status: String((Number(a.status) + 1) % 5) as '0' });
    world.emu.updateImage(b.imageId, { status: String((Number(b.status) + 2) % 5) as '0' });
    world.emu.updateImage(c.imageId, { name: 'renamed (filtered out)' });
    world.emu.deleteImage(d.imageId);
    world.emu.createImage({ ownerUid: world.uidOf.get('acct0') ?? '', regionId: 'cn-hangzhou', name: 'new after kill' });
    const second = (await enqueueRun(runs)).runId;
    await waitFor(`run ${second} finished`, () => runFinished(db.url, second), 60_000, 100);

    // The kill lands mid-delivery: requests open at the receiver, their leases held in the database.
    const inFlightAtKill = receiver.inFlight;
    const leasedAtKill = await pendingRows(true);
    expect(inFlightAtKill).toBeGreaterThan(0);
    expect(leasedAtKill).toBeGreaterThan(0);
    const before = await checkDelivered(db.url, receiver, 'kill', { kinds: KINDS });
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect(await victim.exited).toEqual({ code: null, signal: 'SIGKILL' });
    // The receiver finishes the requests it was holding (it did get them; their sender is gone).
    receiver.answer = () => ({ status: 204 });
    release();

    const restarted = await start();
    const startedAt = Date.now();
    await waitFor('every expected event delivered after the restart', async () => {
      const f = await checkDelivered(db.url, receiver, 'kill', { kinds: KINDS });
      return f.missing === 0 && (await pendingRows()) === 0;
    }, 60_000, 200);
    const recoveredAt = Date.now();
    const figures = await checkDelivered(db.url, receiver, 'kill', { kinds: KINDS });
    expect(figures.events).toBeGreaterThanOrEqual(12); // 8 created + 2 status changes + 1 deleted + 1 created
    expect(figures).toMatchObject({ missing: 0, unexpected: 0, idMismatch: 0, unverified: 0, outOfOrder: [] });
    // The held requests the receiver got were sent again (the lease expired): duplicates, same ids.
    expect(figures.duplicates).toBeGreaterThan(0);
    expect(restarted.logs()).not.toMatch(/uncaught|TypeError|"level":(50|60)/);

    restarted.child.kill('SIGTERM');
    expect(await restarted.exited).toEqual({ code: 0, signal: null });
    const { outOfOrder: _o, ...rest } = figures;
    report('worker process SIGKILLed mid-delivery', {
      ...rest, deliveredBeforeKill: before.events - before.missing, inFlightAtKill, leasedAtKill,
      recoveryMsFromKill: recoveredAt - killedAt, recoveryMsFromRestart: recoveredAt - startedAt,
    });
  }, 90_000);
});
