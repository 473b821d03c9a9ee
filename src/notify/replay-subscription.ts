/**
 * `notifications replay`: put a subscription's events since a time back to pending (attempts
 * reset, dead ones revived, delivered ones sent again, ones never matched inserted) and deliver
 * them now in this process, as `sync --notify` does. The rows are the same, so the webhook-ids are
 * the same (`swas_<subscription>_<eventId>`): a receiver that deduplicates sees replays as repeats.
 */
import type { Subscription } from '../config/subscriptions.js';
import type { Db } from '../db/database.js';
import { deliverNow, type DeliverNowOptions } from './deliver-now.js';
import { deliveryStates, requeueEvents } from './delivery-store.js';
import { matchesEvent } from './match-event.js';

export interface ReplayResult {
  subscription: string;
  /** Events put back (matching the subscription's filters, observed at or after `since`). */
  replayed: number;
  /** Of those, how many had been dead and how many delivered before. */
  revivedDead: number;
  wasDelivered: number;
  /** Replayed events delivered by this command. */
  redelivered: number;
  /** Replayed events not delivered when it gave up: still pending (kept for the worker) or dead again. */
  failed: number;
  /** The most recent reason among the failed ones (HTTP status or error code, never a URL). */
  lastError: string | null;
}

export async function replaySubscription(db: Db, sub: Subscription, since: Date, options: DeliverNowOptions = {}): Promise<ReplayResult> {
  const requeued = await requeueEvents(db, sub.name, since, (e) => matchesEvent(sub, e));
  // Delivers everything due for this subscription, the replayed events among it (per-image order holds).
  await deliverNow(db, [sub], options);
  const states = await deliveryStates(db, sub.name, requeued.eventIds);
  const after = requeued.eventIds.map((id) => states.get(id));
  const failed = after.filter((s) => s?.state !== 'delivered');
  return {
    subscription: sub.name,
    replayed: requeued.eventIds.length,
    revivedDead: requeued.revivedDead,
    wasDelivered: requeued.wasDelivered,
    redelivered: after.length - failed.length,
    failed: failed.length,
    lastError: failed.map((s) => s?.lastError ?? null).filter((e): e is string => e !== null).at(-1) ?? null,
  };
}
