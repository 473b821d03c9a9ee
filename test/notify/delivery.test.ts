import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { Subscription } from '../../src/config/subscriptions.js';
import { queryRows, type DatabaseHandle } from '../../src/db/database.js';
import { deliverSubscription, createPacer } from '../../src/notify/deliver-subscription.js';
import { requeueSince } from '../../src/notify/delivery-store.js';
import { matchesEvent } from '../../src/notify/match-event.js';
import { ensureCursor } from '../../src/notify/scan-events.js';
import { backends, createTestDatabase } from '../helpers/databases.js';
import { startWebhookReceiver, testSecret, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { eventually, image, listing, subscription, syncListings } from './notify-fixtures.js';

type Hook = { type: string; data: { eventId: number; kind: string; image: { id: string }; oldStatus: { name: string } | null; newStatus: { name: string } | null } };

describe.each(backends())('webhook delivery on %s', (kind) => {
  let h: DatabaseHandle;
  let receiver: WebhookReceiver;
  const secret = testSecret();

  beforeAll(async () => { h = await createTestDatabase(kind); });
  afterAll(async () => h?.close());
  afterEach(async () => receiver?.close());

  const deliveries = (name: string) => queryRows<{ event_id: string; state: string; attempts: number; last_error: string | null }>(h.db,
    sql`select event_id, state, attempts, last_error from swas.notification_deliveries where subscription = ${name} order by event_id`);

  /** Passes until nothing is pending: what a worker's repeated passes do. */
  const deliverUntilSettled = async (sub: Subscription, pauseMs: number) => {
    const pace = createPacer(sub);
    for (let i = 0; i < 50; i++) {
      await deliverSubscription(h.db, sub, pace);
      if (!(await deliveries(sub.name)).some((d) => d.state === 'pending')) return;
      await new Promise((r) => setTimeout(r, pauseMs));
    }
    throw new Error('deliveries still pending');
  };

  it('delivers exactly the filtered events, signed, in order per image, and only those recorded after the subscription started', async () => {
    receiver = await startWebhookReceiver(secret);
    // Before the subscription exists: not delivered (replay is for the past).
    await syncListings(h.db, listing('cn-hangzhou', [image('m-old', 'cn-hangzhou', { status: 4 })]));
    const sub = subscription('ops', receiver.url, secret, { kinds: ['status_changed', 'deleted'] });
    await ensureCursor(h.db, sub.name);

    await syncListings(h.db, listing('cn-hangzhou', [image('m-old', 'cn-hangzhou', { status: 1 }), image('m-1', 'cn-hangzhou', { status: 4 }), image('m-2', 'cn-hangzhou', { status: 4 })]));
    await syncListings(h.db, listing('cn-hangzhou', [image('m-1', 'cn-hangzhou', { status: 3 }), image('m-2', 'cn-hangzhou', { status: 1, name: 'renamed' })]));
    await syncListings(h.db, listing('cn-hangzhou', [image('m-2', 'cn-hangzhou', { status: 1, name: 'renamed' })]));
    await deliverSubscription(h.db, sub, createPacer(sub));

    const got = receiver.accepted().map((r) => r.body as Hook);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    const summary = got.map((b) => `${b.data.image.id} ${b.data.kind} ${b.data.oldStatus?.name ?? '-'}>${b.data.newStatus?.name ?? '-'}`);
    expect(summary.sort()).toEqual([
      'm-1 deleted creation_failed>-',
      'm-1 status_changed creating>creation_failed',
      'm-2 status_changed creating>available',
      'm-old deleted available>-',
      'm-old status_changed creating>available',
    ]);
    // Per image in event order.
    const m1 = got.filter((b) => b.data.image.id === 'm-1').map((b) => b.data.eventId);
    expect(m1).toEqual([...m1].sort((a, b) => a - b));
    expect(receiver.received.map((r) => r.webhookId)).toEqual(got.map((b) => `swas_ops_${b.data.eventId}`));
    const settled = await deliveries('ops');
    expect(settled.every((d) => d.state === 'delivered' && d.attempts === 1), JSON.stringify(settled)).toBe(true);

    // A second pass finds nothing new.
    await deliverSubscription(h.db, sub, createPacer(sub));
    expect(receiver.received).toHaveLength(5);
  });

  it('retries 500s and 429 with Retry-After until delivered, with the same webhook-id, keeping per-image order', async () => {
    receiver = await startWebhookReceiver(secret);
    receiver.answer = ({ count }) => (count === 0 ? { status: 500 } : count === 1 ? { status: 429, retryAfter: '0' } : { status: 200 });
    const sub = subscription('retry', receiver.url, secret, { kinds: ['created', 'status_changed'], concurrency: 1 });
    await ensureCursor(h.db, sub.name);
    await syncListings(h.db, listing('eu-central-1', [image('r-1', 'eu-central-1', { status: 4 })]));
    await syncListings(h.db, listing('eu-central-1', [image('r-1', 'eu-central-1', { status: 1 })]));
    await deliverUntilSettled(sub, 100);
    const ids = receiver.received.map((r) => r.webhookId);
    const [first, second] = [...new Set(ids)];
    // The created event failed twice and went out before the status change ever did.
    expect(ids).toEqual([first, first, first, second]);
    expect((receiver.accepted().map((r) => (r.body as Hook).data.kind))).toEqual(['created', 'status_changed']);
    expect((await deliveries('retry')).map((d) => [d.state, d.attempts])).toEqual([['delivered', 3], ['delivered', 1]]);
  });

  it('records an event dead with its reason after maxAttempts and carries on with the next one', async () => {
    receiver = await startWebhookReceiver(secret);
    receiver.answer = ({ body }) => ((body as Hook).data.kind === 'created' ? { status: 503 } : { status: 204 });
    const sub = subscription('dead', receiver.url, secret, { maxAttempts: 2, backoff: { baseMs: 1, maxMs: 5 } });
    await ensureCursor(h.db, sub.name);
    await syncListings(h.db, listing('ap-southeast-1', [image('d-1', 'ap-southeast-1', { status: 4 })]));
    await syncListings(h.db, listing('ap-southeast-1', [image('d-1', 'ap-southeast-1', { status: 1 })]));
    await deliverUntilSettled(sub, 20);
    expect((await deliveries('dead')).map((d) => [d.state, d.attempts, d.last_error])).toEqual([['dead', 2, 'HTTP 503'], ['delivered', 1, null]]);
  });

  it('keeps `concurrency` requests in flight, one per image, when many images have events due', async () => {
    receiver = await startWebhookReceiver(secret);
    const sub = subscription('lanes', receiver.url, secret, { concurrency: 4 });
    await ensureCursor(h.db, sub.name);
    await syncListings(h.db, listing('cn-hangzhou', Array.from({ length: 6 }, (_, i) => image(`lane-${i}`, 'cn-hangzhou'))));
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    receiver.answer = () => ({ status: 204, hold: gate });
    const pass = deliverSubscription(h.db, sub, createPacer(sub));
    // Before claims skipped locked rows, the lanes all raced for the oldest head and all but one
    // ended empty-handed: one request at a time.
    await eventually(() => receiver.inFlight === 4, 10_000, '4 requests in flight');
    release();
    await pass;
    await deliverUntilSettled(sub, 20);
    // (The listing also deletes the images earlier tests listed in that region: their events go too.)
    const ids = receiver.accepted().map((r) => (r.body as Hook).data.image.id).filter((id) => id.startsWith('lane-')).sort();
    expect(ids).toEqual(['lane-0', 'lane-1', 'lane-2', 'lane-3', 'lane-4', 'lane-5']);
  });

  it('replays with the same webhook-ids', async () => {
    receiver = await startWebhookReceiver(secret);
    const sub = subscription('ops', receiver.url, secret, { kinds: ['status_changed', 'deleted'] });
    const since = new Date(Date.now() - 3600_000);
    const n = await requeueSince(h.db, sub.name, since, (e) => matchesEvent(sub, e));
    await deliverSubscription(h.db, sub, createPacer(sub));
    // The 4 of the first test, plus m-old's status change from before its cursor existed: it matches too.
    expect(n).toBe(receiver.received.length);
    expect(receiver.received.map((r) => r.webhookId)).toContain(`swas_ops_${(receiver.received[0]?.body as Hook).data.eventId}`);
    const ids = (await deliveries('ops')).map((d) => `swas_ops_${d.event_id}`);
    expect(receiver.received.map((r) => r.webhookId).sort()).toEqual(ids.sort());
  });
});
