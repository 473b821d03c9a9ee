-- The reporting surface for BI tools and for the CLI's `images`, `history` and `report`
-- (docs/REPORTS.md). The CLI reads through these same views, so what analysts query is what the
-- tests prove. Written to run unchanged on PostgreSQL 15+ and on PGlite (Postgres 18 in WASM).
--
-- Status labels live in SQL too (kept equal to STATUS_LABELS in src/sync/types.ts by a test); an
-- unknown code is shown as `unknown(N)`, never hidden, because the sync stores unknown codes as is.
--
-- Written so the planner inlines it into the views (a real SQL-function call per row made a
-- 10,000-image as-of listing several times slower): every part immutable (`text || smallint` is
-- only STABLE, hence `code::text`), and smallint like the status columns, so no cast wraps them.
CREATE FUNCTION swas.status_label(code smallint) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE code
    WHEN 0 THEN 'copying' WHEN 1 THEN 'available' WHEN 2 THEN 'unavailable'
    WHEN 3 THEN 'creation_failed' WHEN 4 THEN 'creating'
    ELSE 'unknown(' || code::text || ')' END
$$;
--> statement-breakpoint
-- For hand-written SQL: `swas.status_label(3)` passes an integer.
CREATE FUNCTION swas.status_label(code integer) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT swas.status_label(code::smallint)
$$;
--> statement-breakpoint
CREATE VIEW swas.status_codes AS
  SELECT code::smallint AS code, swas.status_label(code::smallint) AS label FROM generate_series(0, 4) AS code;
--> statement-breakpoint
-- Versions keep tags as `[{key, value}]` (the diff's shape); BI tools want `{key: value}` objects.
-- The views below spell the same expression out instead of calling this: a SQL function with a
-- subquery is never inlined, and calling it per row made a 10,000-image as-of listing 2x slower.
CREATE FUNCTION swas.tags_object(tags jsonb) RETURNS jsonb
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT jsonb_object(ARRAY(SELECT ARRAY[t ->> 'key', t ->> 'value'] FROM jsonb_array_elements(tags) AS t))
$$;
--> statement-breakpoint
-- Every image ever seen, deleted ones included (deleted_at set), tags as a {key: value} object.
CREATE VIEW swas.images_all AS
  SELECT i.account, i.image_id, i.region_id, i.name, i.description,
    i.status, swas.status_label(i.status) AS status_label,
    i.os_type, i.creation_time, i.instance_id, i.instance_name,
    i.system_snapshot_id, i.system_snapshot_name, i.data_snapshot_id, i.data_snapshot_name,
    i.required_system_disk_size, i.required_data_disk_size, i.source_image_name, i.source_image_version,
    i.resource_group_id, i.in_share, i.in_share_user, i.user_id, i.create_instances,
    coalesce(t.tags, '{}'::jsonb) AS tags,
    i.first_seen_at, i.changed_at, i.deleted_at
  FROM swas.custom_images AS i
  -- A grouped join rather than a subquery per row: about a third faster for a full listing, and
  -- filters on account / image_id still reach the grouped side through the join keys.
  LEFT JOIN (SELECT account, image_id, jsonb_object(array_agg(key), array_agg(value)) AS tags
             FROM swas.custom_image_tags GROUP BY account, image_id) AS t
    ON t.account = i.account AND t.image_id = i.image_id;
--> statement-breakpoint
-- The inventory now: images present in their last complete listing.
CREATE VIEW swas.images_current AS
  SELECT * FROM swas.images_all WHERE deleted_at IS NULL;
--> statement-breakpoint
-- Every observed state with its validity; `tags` as an object, `tag_list` as stored
-- (`[{key, value}]`, cheaper when only filtering or passing it on). `valid_during` is
-- [valid_from, valid_to) with an open end while current; it is exactly the GiST index expression
-- below, so `valid_during @> ts` through this view (and images_as_of) is an index scan.
CREATE VIEW swas.image_versions AS
  SELECT v.id AS version_id, v.account, v.image_id, v.region_id, v.name, v.description,
    v.status, swas.status_label(v.status) AS status_label,
    v.os_type, v.creation_time, v.instance_id, v.instance_name,
    v.system_snapshot_id, v.system_snapshot_name, v.data_snapshot_id, v.data_snapshot_name,
    v.required_system_disk_size, v.required_data_disk_size, v.source_image_name, v.source_image_version,
    v.resource_group_id, v.in_share, v.in_share_user, v.user_id, v.create_instances,
    jsonb_object(ARRAY(SELECT ARRAY[t ->> 'key', t ->> 'value'] FROM jsonb_array_elements(v.tags) AS t)) AS tags,
    v.tags AS tag_list,
    v.valid_from, v.valid_to,
    tstzrange(v.valid_from, coalesce(v.valid_to, 'infinity'::timestamptz)) AS valid_during,
    v.sync_run_id
  FROM swas.custom_image_versions AS v;
--> statement-breakpoint
-- The inventory as it was at `ts`: valid_from <= ts < valid_to, so at the exact instant of a
-- change the new state shows. A plain SQL function (not STRICT, not SECURITY DEFINER) so the
-- planner inlines it and pushes callers' filters and the GiST index down into it; swas_reader
-- may call it because the view it reads runs with the view owner's rights.
CREATE FUNCTION swas.images_as_of(ts timestamptz) RETURNS SETOF swas.image_versions
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT * FROM swas.image_versions WHERE valid_during @> ts
$$;
--> statement-breakpoint
-- The audit log with status labels.
CREATE VIEW swas.image_history AS
  SELECT e.id AS event_id, e.observed_at, e.sync_run_id, e.account, e.region_id, e.image_id, e.kind,
    e.old_status, swas.status_label(e.old_status) AS old_status_label,
    e.new_status, swas.status_label(e.new_status) AS new_status_label,
    e.changes
  FROM swas.image_events AS e;
--> statement-breakpoint
-- Schema additions kept here rather than in src/db/schema.ts (owned by the sync work; drizzle-kit
-- would not generate expression GiST indexes faithfully anyway):
-- 1. As-of lookups: a btree on (valid_from, valid_to) must walk every version older than ts
--    (half the table for a mid-history ts); the GiST range index goes straight to the versions
--    containing ts, one per image.
CREATE INDEX custom_image_versions_valid_during_idx ON swas.custom_image_versions
  USING gist (tstzrange(valid_from, coalesce(valid_to, 'infinity'::timestamptz)));
--> statement-breakpoint
--    And no parallel scans of the versions: the planner prices the as-of bitmap scan as if its
--    rows were scattered (they are clustered in time order, as syncs append them) and picks a
--    parallel plan whose worker start-up alone cost 50-90 ms against ~40 ms serial for 10,000
--    images on 2 cores. A reloption drizzle-kit does not track, so schema.ts stays as it is.
ALTER TABLE swas.custom_image_versions SET (parallel_workers = 0);
--> statement-breakpoint
-- 2. `history --image ID` without --account: image_events_image_idx leads with account, which
--    Postgres 15 cannot skip.
CREATE INDEX image_events_image_id_observed_idx ON swas.image_events USING btree (image_id, observed_at);
--> statement-breakpoint
-- Read-only role for BI tools: the views and functions above, never the base tables. Roles are
-- cluster-wide, so create it only if absent (several databases on one server run this) and
-- tolerate a concurrent creator. A migrating user without CREATEROLE (common on hosted Postgres)
-- must not make `migrate` fail for every worker: it gets a notice and no role, and
-- docs/REPORTS.md has the statements for an administrator to run instead.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'swas_reader') THEN
    BEGIN
      CREATE ROLE swas_reader NOLOGIN;
    EXCEPTION
      WHEN duplicate_object OR unique_violation THEN NULL;
      WHEN insufficient_privilege THEN
        RAISE NOTICE 'swas_reader not created (no CREATEROLE privilege); see docs/REPORTS.md to create it by hand';
        RETURN;
    END;
  END IF;
  GRANT USAGE ON SCHEMA swas TO swas_reader;
  GRANT SELECT ON swas.images_all, swas.images_current, swas.image_versions, swas.image_history,
    swas.status_codes TO swas_reader;
  GRANT EXECUTE ON FUNCTION swas.images_as_of(timestamptz), swas.status_label(smallint),
    swas.status_label(integer), swas.tags_object(jsonb) TO swas_reader;
END
$$;
