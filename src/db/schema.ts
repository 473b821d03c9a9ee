/**
 * The `swas` schema: the reporting contract (documented in README.md, "Schema").
 *
 * Current state lives in `custom_images` + `custom_image_tags`; history lives in the append-only
 * `image_events` (what changed) and `custom_image_versions` (every distinct observed state with its
 * validity interval, so "the inventory as of T" is one indexed query). Append-only is enforced by
 * triggers in a hand-written migration (see migrations/).
 */
import { sql } from 'drizzle-orm';
import {
  customType,
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const swas = pgSchema('swas');

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** A transaction id as Postgres' 64-bit, wraparound-free `xid8`; read as its decimal text. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

/** Raw bytes; read back as Postgres' hex text (`\\x...`), which nothing in the product needs to. */
const bytea = customType<{ data: string; driverData: string }>({ dataType: () => 'bytea' });

/** The typed columns shared by the current row and each version: one per response field. */
const imageColumns = () => ({
  regionId: text('region_id').notNull(),
  name: text('name'),
  description: text('description'),
  status: smallint('status'),
  osType: text('os_type'),
  creationTime: tstz('creation_time'),
  instanceId: text('instance_id'),
  instanceName: text('instance_name'),
  systemSnapshotId: text('system_snapshot_id'),
  systemSnapshotName: text('system_snapshot_name'),
  dataSnapshotId: text('data_snapshot_id'),
  dataSnapshotName: text('data_snapshot_name'),
  requiredSystemDiskSize: integer('required_system_disk_size'),
  requiredDataDiskSize: integer('required_data_disk_size'),
  sourceImageName: text('source_image_name'),
  sourceImageVersion: text('source_image_version'),
  resourceGroupId: text('resource_group_id'),
  inShare: boolean('in_share'),
  inShareUser: boolean('in_share_user'),
  userId: bigint('user_id', { mode: 'bigint' }),
  createInstances: text('create_instances').array(),
});

export const customImages = swas.table(
  'custom_images',
  {
    account: text('account').notNull(),
    imageId: text('image_id').notNull(),
    ...imageColumns(),
    raw: jsonb('raw').notNull(),
    /**
     * SHA-256 of `raw`'s canonical text (jsonb's own output: keys sorted, fixed spacing), computed
     * by Postgres whenever `raw` is written (migration 0007, swas.raw_digest). The unchanged-region
     * fast path compares the listing's digests (src/sync/raw-digest.ts) with these instead of
     * sending and comparing ~20 KB of jsonb per region.
     */
    rawDigest: bytea('raw_digest').notNull().generatedAlwaysAs(sql`swas.raw_digest(raw)`),
    /** Hash of the normalized fields and tags: the cheap "did anything change" test. */
    contentHash: text('content_hash').notNull(),
    firstSeenAt: tstz('first_seen_at').notNull(),
    /** When the last write to this row happened (not a "last seen" stamp: unchanged rows are never written). */
    changedAt: tstz('changed_at').notNull(),
    deletedAt: tstz('deleted_at'),
    /**
     * Whether any answer so far carried the image's `Tags` (sticky: a later sparse answer that left
     * them out does not unlearn it). NULL on rows written before 0006: derived from `raw` then.
     */
    tagsKnown: boolean('tags_known'),
  },
  (t) => [
    primaryKey({ columns: [t.account, t.imageId] }),
    index('custom_images_account_region_idx').on(t.account, t.regionId),
    index('custom_images_status_idx').on(t.status),
  ],
);

export const customImageTags = swas.table(
  'custom_image_tags',
  {
    account: text('account').notNull(),
    imageId: text('image_id').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.account, t.imageId, t.key, t.value] }),
    index('custom_image_tags_key_value_idx').on(t.key, t.value),
  ],
);

export const syncRuns = swas.table('sync_runs', {
  id: uuid('id').primaryKey(),
  /** `cli`, `schedule` or `manual`. */
  trigger: text('trigger').notNull(),
  /** `running`, then `succeeded`, `partial` (some regions failed or were incomplete) or `failed`. */
  status: text('status').notNull(),
  startedAt: tstz('started_at').notNull(),
  finishedAt: tstz('finished_at'),
  regionsTotal: integer('regions_total').notNull().default(0),
  regionsSucceeded: integer('regions_succeeded').notNull().default(0),
  regionsIncomplete: integer('regions_incomplete').notNull().default(0),
  regionsFailed: integer('regions_failed').notNull().default(0),
  imagesSeen: integer('images_seen').notNull().default(0),
  eventCounts: jsonb('event_counts').notNull().default(sql`'{}'::jsonb`),
  error: text('error'),
});

export const regionSyncs = swas.table(
  'region_syncs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    syncRunId: uuid('sync_run_id').notNull().references(() => syncRuns.id),
    account: text('account').notNull(),
    regionId: text('region_id').notNull(),
    /** `succeeded`, `failed` or `incomplete`. */
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(1),
    pages: integer('pages').notNull().default(0),
    apiCalls: integer('api_calls').notNull().default(0),
    imagesSeen: integer('images_seen').notNull().default(0),
    created: integer('created').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    statusChanged: integer('status_changed').notNull().default(0),
    tagsChanged: integer('tags_changed').notNull().default(0),
    deleted: integer('deleted').notNull().default(0),
    restored: integer('restored').notNull().default(0),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    startedAt: tstz('started_at').notNull(),
    finishedAt: tstz('finished_at'),
  },
  (t) => [
    uniqueIndex('region_syncs_run_account_region_key').on(t.syncRunId, t.account, t.regionId),
    index('region_syncs_account_region_idx').on(t.account, t.regionId, t.startedAt),
  ],
);

/**
 * Per (account, region): when the last COMPLETE listing committed. Kept here instead of a
 * per-image "last seen" stamp so an unchanged re-sync writes nothing to the image tables.
 */
export const regionStates = swas.table(
  'region_states',
  {
    account: text('account').notNull(),
    regionId: text('region_id').notNull(),
    lastCompleteListingAt: tstz('last_complete_listing_at'),
    /**
     * The database's clock just before the first page of the last listing written here (or found
     * unchanged) was requested: a listing that started earlier is stale and is refused.
     */
    listingStartedAt: tstz('listing_started_at'),
    lastSyncRunId: uuid('last_sync_run_id'),
    lastStatus: text('last_status').notNull(),
    updatedAt: tstz('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.account, t.regionId] })],
);

export const imageEvents = swas.table(
  'image_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    syncRunId: uuid('sync_run_id').notNull(),
    observedAt: tstz('observed_at').notNull(),
    account: text('account').notNull(),
    regionId: text('region_id').notNull(),
    imageId: text('image_id').notNull(),
    /** `created`, `updated`, `status_changed`, `tags_changed`, `deleted`, `restored`. */
    kind: text('kind').notNull(),
    oldStatus: smallint('old_status'),
    newStatus: smallint('new_status'),
    /** `{field: {old, new}}` */
    changes: jsonb('changes').notNull().default(sql`'{}'::jsonb`),
    /**
     * The writing transaction's id, filled by the default (no extra statement): the notifier's
     * commit-order-safe watermark (see src/notify/scan-events.ts). Null for events recorded
     * before subscriptions existed.
     */
    commitXid: xid8('commit_xid').default(sql`pg_current_xact_id()`),
  },
  (t) => [
    index('image_events_image_idx').on(t.account, t.imageId, t.observedAt),
    index('image_events_commit_xid_idx').on(t.commitXid, t.id),
    index('image_events_observed_idx').on(t.observedAt),
    index('image_events_kind_observed_idx').on(t.kind, t.observedAt),
    // prune-runs.ts keeps every run an event names: this answers "does any event name run R" without a scan.
    index('image_events_sync_run_idx').on(t.syncRunId),
  ],
);

export const customImageVersions = swas.table(
  'custom_image_versions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    account: text('account').notNull(),
    imageId: text('image_id').notNull(),
    ...imageColumns(),
    tags: jsonb('tags').notNull().default(sql`'[]'::jsonb`),
    contentHash: text('content_hash').notNull(),
    syncRunId: uuid('sync_run_id').notNull(),
    validFrom: tstz('valid_from').notNull(),
    /** null while this is the current state; set when a later state or a deletion replaces it. */
    validTo: tstz('valid_to'),
  },
  (t) => [
    index('custom_image_versions_image_idx').on(t.account, t.imageId, t.validFrom),
    index('custom_image_versions_valid_idx').on(t.validFrom, t.validTo),
    uniqueIndex('custom_image_versions_one_open_key').on(t.account, t.imageId).where(sql`valid_to is null`),
    // prune-runs.ts keeps every run a version names (a version can come without an event).
    index('custom_image_versions_sync_run_idx').on(t.syncRunId),
  ],
);

/**
 * Per subscription (by name: the URL and secret live only in the configuration): how far its
 * scan of image_events has got. Every event with (commit_xid, id) up to (last_xid, last_event_id)
 * has been matched against the subscription's filters and, if it matched, queued as a delivery.
 */
export const notificationCursors = swas.table('notification_cursors', {
  subscription: text('subscription').primaryKey(),
  lastXid: xid8('last_xid').notNull(),
  lastEventId: bigint('last_event_id', { mode: 'number' }).notNull().default(0),
  createdAt: tstz('created_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});

/**
 * One row per (subscription, event) that matched: its delivery state. `pending` until the
 * receiver answered 2xx (`delivered`) or the attempts ran out (`dead`, reason kept). A lease
 * marks a request in flight so a second notifier does not send it too; a killed one's lease expires.
 */
export const notificationDeliveries = swas.table(
  'notification_deliveries',
  {
    subscription: text('subscription').notNull(),
    eventId: bigint('event_id', { mode: 'number' }).notNull(),
    account: text('account').notNull(),
    imageId: text('image_id').notNull(),
    /** `pending`, `delivered`, `dead`. */
    state: text('state').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: tstz('next_attempt_at').notNull().defaultNow(),
    leaseUntil: tstz('lease_until'),
    /** Why the last attempt failed (HTTP status or error code and a short message; never the URL). */
    lastError: text('last_error'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    deliveredAt: tstz('delivered_at'),
  },
  (t) => [
    primaryKey({ columns: [t.subscription, t.eventId] }),
    index('notification_deliveries_pending_idx').on(t.subscription, t.account, t.imageId, t.eventId).where(sql`state = 'pending'`),
    index('notification_deliveries_state_idx').on(t.subscription, t.state),
  ],
);
