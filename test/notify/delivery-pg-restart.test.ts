// @long-running: restarts a private Postgres under the notifier
/**
 * Fault scenario: Postgres restarted under the notifier of a `swas-inventory worker` PROCESS, on a
 * private cluster (test/helpers/private-services.ts; the shared server is never restarted). The
 * receiver holds requests open; Postgres stops; the receiver then answers them 2xx, so the
 * notifier cannot record those deliveries (their leases stay) and its next passes fail too; then
 * Postgres starts again. The notifier must keep running (errors logged, never a crash) and recover
 * by itself: every expected event delivered, none missing or unexpected, per-image order kept,
 * every request verified by `standardwebhooks`, duplicates only under the same webhook-id; and a
 * later run's events go out as usual. Figures: a `delivery-fault-figures` line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queue } from 'bullmq';
import postgres from 'postgres';
import { enqueueRun } from '../../src/worker/enqueue-run.js';
import type { PlanJobData } from '../../src/worker/job-data.js';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-services.js';
import { openTestQueues, type TestQueues } from '../helpers/redis.js';
import { startWebhookReceiver, testSecret, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { killWorker, startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';
import { startWorld, waitFor, type World } from '../worker/worker-test-kit.js';
import { checkDelivered, runFinished, runWithDeliveriesHeld } from './delivery-truth.js';

const KINDS = ['created', 'status_changed', 'deleted'] as const;
const report = (scenario: string, figures: object) => console.log(`delivery-fault-figures ${JSON.stringify({ scenario, ...figures })}`);

describe('fault matrix: Postgres restarted under the notifier (worker process)', () => {
  let pg: PrivatePostgres;
  let world: World;
  let receiver: WebhookReceiver;
  let queues: TestQueues | undefined;
  let prefix: string;
  let runs: Queue<PlanJobData>;
  let proc: WorkerProcess | undefined;
  const secret = testSecret();

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    world = await startWorld({ accounts: 1, regions: ['cn-hangzhou', 'cn-shanghai'], imagesPerRegion: 4 });
    receiver = await startWebhookReceiver(secret);
    queues = openTestQueues('dpg');
    ({ prefix, runs } = queues);
  }, 60_000);
  afterAll(async () => {
    await killWorker(proc);
    await queues?.close();
    await receiver?.close();
    await world?.emu.stop();
    await pg?.destroy();
  });

  /** Deliveries still pending (state), or leased right now (`leasedOnly`). */
  const pendingRows = async (leasedOnly = false): Promise<number> => {
    const sql = postgres(pg.adminUrl, { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from swas.notification_deliveries where state = 'pending' and (not ${leasedOnly} or lease_until > now())`;
      return row?.n ?? 0;
    } finally {
      await sql.end({ timeout: 5 });
    }
  };
  const allDelivered = (what: string) => waitFor(what, async () => {
    if (proc?.child.exitCode !== null) throw new Error(`the worker died:\n${proc?.logs() ?? ''}`);
    const f = await checkDelivered(pg.adminUrl, receiver, 'pgr', { kinds: KINDS });
    return f.missing === 0 && (await pendingRows()) === 0;
  }, 60_000, 200);
  const judge = async () => {
    const figures = await checkDelivered(pg.adminUrl, receiver, 'pgr', { kinds: KINDS });
    expect(figures).toMatchObject({ missing: 0, unexpected: 0, idMismatch: 0, unverified: 0, outOfOrder: [] });
    return figures;
  };

  it('the notifier logs the outage, keeps running and delivers everything after it', async () => {
    const subscriptions = [{
      name: 'pgr', url: receiver.url, secretEnv: 'PGR_HOOK_SECRET', kinds: KINDS,
      timeoutMs: 3_000, maxAttempts: 50, backoff: { baseMs: 100, maxMs: 1_000 }, concurrency: 4, ratePerSecond: 1_000,
    }];
    // Ready once both the worker (it migrated the fresh cluster) and its notifier said so.
    const p = await startWorkerProcess(world, pg.adminUrl, prefix, ['--no-schedule', '--lock-duration', '2000', '--stalled-interval', '700'],
      { subscriptions, env: { PGR_HOOK_SECRET: secret } });
    proc = p;

    const { release } = await runWithDeliveriesHeld(receiver, runs, pg.adminUrl);
    const inFlightAtStop = receiver.inFlight;
    const leasedAtStop = await pendingRows(true);
    expect(leasedAtStop).toBeGreaterThan(0);

    const stoppedAt = Date.now();
    await pg.stop();
    // The receiver answers 2xx now: the notifier cannot record it; its next passes fail as well.
    receiver.answer = () => ({ status: 204 });
    release();
    await p.launched.output('webhook delivery pass failed', 'stderr', 20_000); // the notifier logged a failed pass
    await new Promise((r) => setTimeout(r, 1_000));
    await pg.start();
    const upAt = Date.now();
    await allDelivered('every expected event delivered after Postgres came back');
    const recoveredAt = Date.now();
    const afterOutage = await judge();
    expect(afterOutage.events).toBe(8);
    // The requests the receiver answered while Postgres was down were sent again: same ids.
    expect(afterOutage.duplicates).toBeGreaterThan(0);

    // The same process, after the outage: a later run's changes go out as usual.
    const [a, b, c] = world.emu.images().sort((x, y) => (x.imageId < y.imageId ? -1 : 1));
    if (!a || !b || !c) throw new Error('too few images');
    world.emu.updateImage(a.imageId, { status: String((Number(a.status) + 1) % 5) as '0' });
    world.emu.updateImage(b.imageId, { name: 'renamed (filtered out)' });
    world.emu.deleteImage(c.imageId);
    const second = (await enqueueRun(runs)).runId;
    await waitFor(`run ${second} finished`, () => runFinished(pg.adminUrl, second), 60_000, 100);
    await allDelivered('the later run delivered');
    const figures = await judge();
    expect(figures.events).toBe(10);

    const logs = p.logs();
    expect(logs, 'the notifier survived the outage').not.toMatch(/uncaught|TypeError|"level":60/);
    // The failed statements are named by their driver error, never by their SQL or parameters.
    expect(logs).not.toMatch(/Failed query|notification_deliveries|params:/);
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    const failedPasses = logs.split('\n').filter((l) => l.includes('webhook delivery pass failed')).length;
    const { outOfOrder: _o, ...rest } = figures;
    report('Postgres stopped and restarted under the notifier', {
      ...rest, inFlightAtStop, leasedAtStop, failedPassesLogged: failedPasses, postgresDownMs: upAt - stoppedAt,
      recoveryMsFromPostgresUp: recoveredAt - upAt, duplicatesAfterOutage: afterOutage.duplicates,
    });
  }, 120_000);
});
