/**
 * The notification_deliveries rows: claim what is due, record what happened. Each row is one
 * (subscription, event). In order per image: only the oldest pending delivery of an image (its
 * head) can be claimed, and only while no request for it is in flight (leased), so an image's
 * events go out one after another; a delivered or dead head lets the next one go.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/database.js';
import type { NotifiableEvent } from './notifiable-event.js';
import { EVENT_COLUMNS, toEvent, type StoredEventRow } from './scan-events.js';

export interface ClaimedDelivery {
  event: NotifiableEvent;
  /** Attempts before this one. */
  attempts: number;
}

/**
 * Leases up to `limit` due heads for `leaseMs`. Concurrent claimers (a pass's lanes, other
 * workers) skip the rows another is leasing right now (SKIP LOCKED) and take the next heads;
 * without it they all picked the same oldest head, all but one came back empty, and those lanes
 * ended: a pass ran about one request at a time whatever `concurrency` said. A row another
 * claimer leased and committed meanwhile is re-checked under its lock, and skipped.
 */
/** Heads beyond `limit` a claimer may fall back on when others hold the first ones (max concurrency). */
const CANDIDATE_SLACK = 64;

export async function claimDue(db: Db, subscription: string, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const claimed = await queryRows<{ event_id: string | number; attempts: number }>(db, sql`
    with heads as (
      select distinct on (account, image_id) event_id, next_attempt_at, lease_until
      from swas.notification_deliveries
      where subscription = ${subscription} and state = 'pending'
      order by account, image_id, event_id
    ), candidates as materialized (
      select event_id from heads
      where next_attempt_at <= now() and (lease_until is null or lease_until < now())
      order by event_id
      limit ${limit + CANDIDATE_SLACK}
    ), due as (
      -- = any(array(...)), not a join: on a freshly filled table (no statistics yet) the planner
      -- nested-looped the join over every pending row (15 s a claim at 2,500 pending).
      select d.event_id from swas.notification_deliveries d
      where d.subscription = ${subscription} and d.event_id = any(array(select event_id from candidates))
        and d.state = 'pending' and (d.lease_until is null or d.lease_until < now())
      order by d.event_id
      limit ${limit}
      for update of d skip locked
    )
    update swas.notification_deliveries d
    set lease_until = now() + ${leaseMs} * interval '1 millisecond'
    from due
    where d.subscription = ${subscription} and d.event_id = due.event_id
      and d.state = 'pending' and (d.lease_until is null or d.lease_until < now())
    returning d.event_id, d.attempts`);
  if (claimed.length === 0) return [];
  const events = await loadEvents(db, claimed.map((c) => Number(c.event_id)));
  return claimed
    .map((c) => ({ event: events.get(Number(c.event_id)), attempts: c.attempts }))
    .filter((c): c is ClaimedDelivery => c.event !== undefined)
    .sort((a, b) => a.event.id - b.event.id);
}

export async function loadEvents(db: Db, ids: number[]): Promise<Map<number, NotifiableEvent>> {
  if (ids.length === 0) return new Map();
  const rows = await queryRows<StoredEventRow & Record<string, unknown>>(db, sql`
    select ${EVENT_COLUMNS} from swas.image_events e
    left join swas.custom_images ci on ci.account = e.account and ci.image_id = e.image_id
    where e.id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb)::bigint)`);
  return new Map(rows.map((r) => [Number(r.id), toEvent(r)]));
}

export async function markDelivered(db: Db, subscription: string, eventId: number): Promise<void> {
  await db.execute(sql`update swas.notification_deliveries
    set state = 'delivered', attempts = attempts + 1, delivered_at = now(), lease_until = null, last_error = null
    where subscription = ${subscription} and event_id = ${eventId} and state = 'pending'`);
}

/** A failed attempt: retried after `retryInMs`, or dead when it was the last one allowed. */
export async function markFailed(
  db: Db, subscription: string, eventId: number, failure: { reason: string; retryInMs: number; dead: boolean },
): Promise<void> {
  await db.execute(sql`update swas.notification_deliveries
    set attempts = attempts + 1, last_error = ${failure.reason.slice(0, 500)}, lease_until = null,
      state = case when ${failure.dead} then 'dead' else 'pending' end,
      next_attempt_at = now() + ${failure.retryInMs} * interval '1 millisecond'
    where subscription = ${subscription} and event_id = ${eventId} and state = 'pending'`);
}

/**
 * Re-queues the subscription's events observed since `since` (delivered or dead ones too) with
 * the same rows, hence the same webhook-ids. Returns how many. Only events the subscription once
 * matched have rows; `accept` decides for the others (events from before its cursor started).
 */
export async function requeueSince(db: Db, subscription: string, since: Date, accept: (e: NotifiableEvent) => boolean): Promise<number> {
  return (await requeueEvents(db, subscription, since, accept)).eventIds.length;
}

export interface RequeueResult {
  /** The events put back to pending (attempts 0, due now), in id order. */
  eventIds: number[];
  /** How many of them had been recorded dead: replay is how an operator revives them. */
  revivedDead: number;
  /** How many had been delivered already (sent again, same webhook-id). */
  wasDelivered: number;
}

/** requeueSince with what it did: which events, and what state they were in before. */
export async function requeueEvents(db: Db, subscription: string, since: Date, accept: (e: NotifiableEvent) => boolean): Promise<RequeueResult> {
  const rows = await queryRows<StoredEventRow & Record<string, unknown>>(db, sql`
    select ${EVENT_COLUMNS} from swas.image_events e
    left join swas.custom_images ci on ci.account = e.account and ci.image_id = e.image_id
    where e.observed_at >= ${since.toISOString()}::timestamptz order by e.id`);
  const wanted = rows.map(toEvent).filter(accept);
  if (wanted.length === 0) return { eventIds: [], revivedDead: 0, wasDelivered: 0 };
  // `old` is the row as it was before this statement (a CTE sees the statement's snapshot).
  const [before] = await queryRows<{ dead: string | number; delivered: string | number }>(db, sql`
    with wanted as (
      select d.event_id, d.account, d.image_id
      from jsonb_to_recordset(${JSON.stringify(wanted.map((e) => ({ event_id: e.id, account: e.account, image_id: e.imageId })))}::jsonb)
        as d(event_id bigint, account text, image_id text)
    ), old as (
      select nd.state from swas.notification_deliveries nd join wanted w on w.event_id = nd.event_id
      where nd.subscription = ${subscription}
    ), upsert as (
      insert into swas.notification_deliveries (subscription, event_id, account, image_id)
      select ${subscription}, w.event_id, w.account, w.image_id from wanted w
      on conflict (subscription, event_id) do update
        set state = 'pending', attempts = 0, next_attempt_at = now(), lease_until = null, last_error = null, delivered_at = null
      returning 1
    )
    select (select count(*) from old where state = 'dead') as dead, (select count(*) from old where state = 'delivered') as delivered,
      (select count(*) from upsert) as upserted`);
  return { eventIds: wanted.map((e) => e.id), revivedDead: Number(before?.dead ?? 0), wasDelivered: Number(before?.delivered ?? 0) };
}

/** The state of these deliveries now (absent ones are left out). */
export async function deliveryStates(db: Db, subscription: string, eventIds: readonly number[]): Promise<Map<number, { state: string; lastError: string | null }>> {
  if (eventIds.length === 0) return new Map();
  const rows = await queryRows<{ event_id: string | number; state: string; last_error: string | null }>(db, sql`
    select event_id, state, last_error from swas.notification_deliveries
    where subscription = ${subscription} and event_id in (select jsonb_array_elements_text(${JSON.stringify(eventIds)}::jsonb)::bigint)`);
  return new Map(rows.map((r) => [Number(r.event_id), { state: r.state, lastError: r.last_error }]));
}

export interface PendingSummary {
  eventId: number;
  attempts: number;
  nextAttemptAt: Date;
}

export async function listPending(db: Db, subscription: string): Promise<PendingSummary[]> {
  const rows = await queryRows<{ event_id: string | number; attempts: number; next_attempt_at: Date | string }>(db, sql`
    select event_id, attempts, next_attempt_at from swas.notification_deliveries
    where subscription = ${subscription} and state = 'pending' order by event_id`);
  return rows.map((r) => ({ eventId: Number(r.event_id), attempts: r.attempts, nextAttemptAt: new Date(r.next_attempt_at) }));
}
