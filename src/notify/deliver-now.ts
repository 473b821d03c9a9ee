/**
 * Delivery for one-shot commands (`sync --notify`, `notifications replay`): run passes until
 * nothing is pending, waiting out short retry delays in-process. A delivery that has failed
 * `attemptsHere` times in this process, or whose next try is further away than `maxWaitMs`, is
 * left pending for the worker (or the next run); the command then reports it and exits 1.
 */
import type { Subscription } from '../config/subscriptions.js';
import type { Db } from '../db/database.js';
import { listPending } from './delivery-store.js';
import type { DeliveryReport } from './deliver-subscription.js';
import { Notifier } from './notifier.js';

export interface DeliverNowOptions {
  /** Failed attempts per event in this process before it is left for later. Default 3. */
  attemptsHere?: number;
  /** The longest retry delay waited for. Default 30 s. */
  maxWaitMs?: number;
  onAttempt?: (report: DeliveryReport) => void;
}

export interface SubscriptionTally {
  subscription: string;
  delivered: number;
  /** Still pending when the command gave up: kept for later. */
  pending: number;
  /** Recorded dead in this process (its attempts ran out). */
  dead: number;
}

export async function deliverNow(db: Db, subs: readonly Subscription[], options: DeliverNowOptions = {}): Promise<SubscriptionTally[]> {
  const attemptsHere = options.attemptsHere ?? 3;
  const maxWaitMs = options.maxWaitMs ?? 30_000;
  const tally = new Map(subs.map((s) => [s.name, { subscription: s.name, delivered: 0, pending: 0, dead: 0 }]));
  const failures = new Map<string, number>();
  const key = (sub: string, id: number) => `${sub}\u0000${id}`;
  let lastError: unknown;
  const notifier = new Notifier(db, subs, {
    onAttempt: (r) => {
      const t = tally.get(r.subscription);
      if (t && r.outcome === 'delivered') t.delivered++;
      if (t && r.outcome === 'dead') t.dead++;
      if (r.outcome !== 'delivered') failures.set(key(r.subscription, r.eventId), (failures.get(key(r.subscription, r.eventId)) ?? 0) + 1);
      options.onAttempt?.(r);
    },
    onError: (_name, err) => { lastError = err; },
  });
  for (;;) {
    lastError = null;
    await notifier.kick();
    if (lastError !== null) throw lastError;
    const pending = (await Promise.all(subs.map(async (s) => (await listPending(db, s.name)).map((p) => ({ ...p, subscription: s.name }))))).flat();
    for (const t of tally.values()) t.pending = pending.filter((p) => p.subscription === t.subscription).length;
    const waiting = pending.filter((p) => (failures.get(key(p.subscription, p.eventId)) ?? 0) < attemptsHere);
    if (waiting.length === 0) break;
    const nextDue = Math.min(...waiting.map((p) => p.nextAttemptAt.getTime()));
    const wait = nextDue - Date.now();
    if (wait > maxWaitMs) break;
    await new Promise((r) => setTimeout(r, Math.max(10, wait + 10)));
  }
  return [...tally.values()];
}
