/**
 * One delivery pass of one subscription: scan new events into deliveries (the cursor), then send
 * what is due until nothing is: `concurrency` requests at once (always different images), paced
 * by the subscription's rate, each with its timeout; a failure is retried later with backoff and
 * jitter (Retry-After respected), and after `maxAttempts` the event is dead and the image's next
 * event goes. Safe to run in several processes at once (cursor row lock, delivery leases).
 */
import { RateLimiterMemory, RateLimiterQueue } from 'rate-limiter-flexible';
import type { Subscription } from '../config/subscriptions.js';
import type { Db } from '../db/database.js';
import { claimDue, markDelivered, markFailed, type ClaimedDelivery } from './delivery-store.js';
import { renderBody, webhookId } from './event-payload.js';
import { matchesEvent } from './match-event.js';
import { retryDelayMs } from './retry-delay.js';
import { ensureCursor, scanSubscription } from './scan-events.js';
import { sendWebhook } from './send-webhook.js';

export type DeliveryOutcome = 'delivered' | 'failed' | 'dead';

export interface DeliveryReport {
  subscription: string;
  eventId: number;
  outcome: DeliveryOutcome;
  attempts: number;
  reason?: string;
  /** Commit (observed) to delivered, for the latency metric. */
  latencyMs?: number;
}

export interface PassOptions {
  /** Called after each attempt (metrics, the CLI's own bookkeeping). */
  onAttempt?: (report: DeliveryReport) => void;
  /** Stop claiming when this says so (shutdown). */
  stopping?: () => boolean;
}

/** Paces one subscription's requests; one per subscription per process. */
export function createPacer(sub: Pick<Subscription, 'ratePerSecond'>): () => Promise<void> {
  // Whole points per window: 10/s is 10 per 1 s, 0.5/s is 1 per 2 s.
  const points = Math.max(1, Math.round(sub.ratePerSecond));
  const queue = new RateLimiterQueue(new RateLimiterMemory({ points, duration: points / sub.ratePerSecond }));
  return async () => { await queue.removeTokens(1); };
}

export async function scanAll(db: Db, sub: Subscription): Promise<number> {
  await ensureCursor(db, sub.name);
  let queued = 0;
  for (;;) {
    const step = await scanSubscription(db, sub.name, (e) => matchesEvent(sub, e));
    queued += step.queued;
    if (!step.more) return queued;
  }
}

export async function deliverSubscription(db: Db, sub: Subscription, pace: () => Promise<void>, options: PassOptions = {}): Promise<void> {
  await scanAll(db, sub);
  // The lease outlives the request's timeout (and the write of its outcome): a lease that expired
  // mid-request would let a second sender in. A killed sender's events go out again after it.
  const leaseMs = 2 * sub.timeoutMs + 1_000;
  const lane = async (): Promise<void> => {
    while (!options.stopping?.()) {
      const [claimed] = await claimDue(db, sub.name, 1, leaseMs);
      if (!claimed) return;
      await pace();
      // Not `onAttempt?.(await attempt(...))`: an optional call skips evaluating its arguments.
      const report = await attempt(db, sub, claimed);
      options.onAttempt?.(report);
    }
  };
  // Every lane ends before the pass does (allSettled, not all): a lane whose database write failed
  // must not leave the others running into the next pass, which would then exceed `concurrency`.
  const lanes = await Promise.allSettled(Array.from({ length: sub.concurrency }, lane));
  const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
  if (failed) throw failed.reason;
}

async function attempt(db: Db, sub: Subscription, { event, attempts }: ClaimedDelivery): Promise<DeliveryReport> {
  const outcome = await sendWebhook({
    url: sub.url, secret: sub.secret, webhookId: webhookId(sub.name, event.id), body: renderBody(sub.format, event), timeoutMs: sub.timeoutMs,
  });
  const base = { subscription: sub.name, eventId: event.id, attempts: attempts + 1 };
  if (outcome.ok) {
    await markDelivered(db, sub.name, event.id);
    return { ...base, outcome: 'delivered', latencyMs: Date.now() - event.observedAt.getTime() };
  }
  const dead = attempts + 1 >= sub.maxAttempts;
  await markFailed(db, sub.name, event.id, { reason: outcome.reason, dead, retryInMs: retryDelayMs(sub.backoff, attempts + 1, outcome.retryAfterMs) });
  return { ...base, outcome: dead ? 'dead' : 'failed', reason: outcome.reason };
}
