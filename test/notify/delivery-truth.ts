/** What a delivery scenario must end with: every event delivered, none missing, in order per image. */
import type { Queue } from 'bullmq';
import postgres from 'postgres';
import { enqueueRun } from '../../src/worker/enqueue-run.js';
import type { PlanJobData } from '../../src/worker/job-data.js';
import type { WebhookReceiver } from '../helpers/webhook-receiver.js';
import { waitFor } from '../worker/worker-test-kit.js';

export interface DeliveryFigures {
  events: number;
  requests: number;
  /** Requests beyond one accepted per event (retries after failures, redeliveries after a kill). */
  extraRequests: number;
  /** Accepted more than once (a redelivery the receiver deduplicates by webhook-id). */
  duplicates: number;
  missing: number;
  /** Accepted webhook-ids that name no expected event (filtered out, or invented). */
  unexpected: number;
  /** Requests whose webhook-id is not the one of the event in their body (a redelivery under a new id). */
  idMismatch: number;
  /** Requests the stock standardwebhooks verifier rejected. */
  unverified: number;
}

export interface CheckOptions {
  /** The subscription's `kinds` filter: only these events are expected. Default every event. */
  kinds?: readonly string[];
}

export async function checkDelivered(
  databaseUrl: string, receiver: WebhookReceiver, subscription: string, options: CheckOptions = {},
): Promise<DeliveryFigures & { outOfOrder: string[] }> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const all = await sql<{ id: string; account: string; image_id: string; kind: string }[]>`select id, account, image_id, kind from swas.image_events order by id`;
    const events = options.kinds ? all.filter((e) => options.kinds?.includes(e.kind)) : all;
    const accepted = receiver.accepted();
    const expectedIds = new Set(events.map((e) => `swas_${subscription}_${e.id}`));
    const eventIdOf = (body: unknown) => (body as { data?: { eventId?: unknown } } | null)?.data?.eventId;
    const firstAt = new Map<string, number>();
    accepted.forEach((r, i) => { if (!firstAt.has(r.webhookId)) firstAt.set(r.webhookId, i); });
    const idOf = (id: string) => `swas_${subscription}_${id}`;
    const missing = events.filter((e) => !firstAt.has(idOf(e.id))).length;
    const outOfOrder: string[] = [];
    const lastByImage = new Map<string, number>();
    for (const e of events) {
      const at = firstAt.get(idOf(e.id));
      if (at === undefined) continue;
      const key = `${e.account}/${e.image_id}`;
      if ((lastByImage.get(key) ?? -1) > at) outOfOrder.push(`${key} event ${e.id}`);
      lastByImage.set(key, at);
    }
    return {
      events: events.length, requests: receiver.received.length, extraRequests: receiver.received.length - events.length,
      duplicates: accepted.length - firstAt.size, missing, outOfOrder,
      unexpected: [...firstAt.keys()].filter((id) => !expectedIds.has(id)).length,
      idMismatch: receiver.received.filter((r) => r.webhookId !== `swas_${subscription}_${String(eventIdOf(r.body))}`).length,
      unverified: receiver.received.filter((r) => !r.verified).length,
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function runFinished(databaseUrl: string, runId: string): Promise<boolean> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ status: string }[]>`select status from swas.sync_runs where id = ${runId}`;
    return row !== undefined && row.status !== 'running';
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * The receiver holds every request until `release()`; a run is enqueued and finished, and its
 * deliveries are in flight at the receiver (the other lanes' too, 300 ms later): the moment the
 * delivery fault scenarios strike (a SIGKILL, a Postgres stop).
 */
export async function runWithDeliveriesHeld(receiver: WebhookReceiver, runs: Queue<PlanJobData>, databaseUrl: string): Promise<{ runId: string; release: () => void }> {
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  receiver.answer = () => ({ status: 204, hold: gate });
  const runId = (await enqueueRun(runs)).runId;
  await waitFor(`run ${runId} finished`, () => runFinished(databaseUrl, runId), 60_000, 100);
  await waitFor('requests held at the receiver', async () => receiver.inFlight >= 1, 20_000, 10);
  await new Promise((r) => setTimeout(r, 300));
  return { runId, release };
}
