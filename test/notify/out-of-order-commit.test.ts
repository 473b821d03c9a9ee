/**
 * The reason the cursor is a transaction watermark and not "id > last id": two region
 * transactions commit out of id order (forced here: region A takes its event ids, then waits
 * while region B takes later ids and commits). A scan in between must not move past A's events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.js';
import { createPacer, deliverSubscription } from '../../src/notify/deliver-subscription.js';
import { ensureCursor } from '../../src/notify/scan-events.js';
import { createTestDatabase } from '../helpers/databases.js';
import { startWebhookReceiver, testSecret, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { commitOutOfOrder, image, listing, subscription } from './notify-fixtures.js';

describe('two regions committing out of id order (postgres)', () => {
  let h: DatabaseHandle;
  let receiver: WebhookReceiver;
  const secret = testSecret();
  beforeAll(async () => {
    h = await createTestDatabase('postgres');
    receiver = await startWebhookReceiver(secret);
  });
  afterAll(async () => { await receiver?.close(); await h?.close(); });

  it('delivers both regions\' events, the earlier ids after the later ones committed', async () => {
    const sub = subscription('ops', receiver.url, secret);
    await ensureCursor(h.db, sub.name);
    const { release, regionA } = await commitOutOfOrder(h.db,
      listing('cn-hangzhou', [image('a-1', 'cn-hangzhou'), image('a-2', 'cn-hangzhou')]),
      listing('eu-central-1', [image('b-1', 'eu-central-1')]));

    // A pass while A is open: B's events are committed but above the horizon A holds.
    await deliverSubscription(h.db, sub, createPacer(sub));
    const idsWhileOpen = receiver.accepted().map((r) => (r.body as { data: { eventId: number } }).data.eventId);

    release();
    await regionA;
    await deliverSubscription(h.db, sub, createPacer(sub));
    const events = receiver.accepted().map((r) => (r.body as { data: { eventId: number; image: { id: string } } }).data);
    expect(events.map((e) => e.image.id).sort()).toEqual(['a-1', 'a-2', 'b-1']);
    const idOf = (id: string) => events.find((e) => e.image.id === id)?.eventId ?? NaN;
    // The forced order really happened: A's ids are below B's, and A committed last.
    expect(idOf('a-1')).toBeLessThan(idOf('b-1'));
    expect(idOf('a-2')).toBeLessThan(idOf('b-1'));
    // Nothing went out before A committed (B's events wait below A's horizon), so nothing was skipped.
    expect(idsWhileOpen).toEqual([]);
    expect(new Set(receiver.received.map((r) => r.webhookId)).size).toBe(3);
  });
});
