-- Brings every database to the reporting surface of 0002_reporting_views.sql as it stands now.
-- 0002 was edited in place after databases had applied it (five versions in git history), and
-- drizzle applies only journal entries newer than the last one applied, so a database migrated
-- at an earlier commit kept the old views and functions for ever (`column i.tag_list does not
-- exist`, `status_label(smallint)` missing). Applied migrations are never edited again; this one
-- re-creates every object 0002 defines, whatever version of it a database applied (or none: a
-- fresh database runs 0002 then this), so all of them end identical (test/db/upgrade-paths.test.ts).
--
-- Views are dropped and created, not CREATE OR REPLACEd: image_versions gained a column in the
-- middle (tag_list), which OR REPLACE refuses. No CASCADE: an object someone built on these views
-- makes this migration fail loudly instead of vanishing silently. Dependents first.
DROP FUNCTION IF EXISTS swas.images_as_of(timestamptz);
--> statement-breakpoint
DROP VIEW IF EXISTS swas.images_current;
--> statement-breakpoint
DROP VIEW IF EXISTS swas.images_all;
--> statement-breakpoint
DROP VIEW IF EXISTS swas.image_versions;
--> statement-breakpoint
DROP VIEW IF EXISTS swas.image_history;
--> statement-breakpoint
DROP VIEW IF EXISTS swas.status_codes;
--> statement-breakpoint
-- Functions keep their identity (OR REPLACE keeps grants); the smallint one is new in later versions.
CREATE OR REPLACE FUNCTION swas.status_label(code smallint) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE code
    WHEN 0 THEN 'copying' WHEN 1 THEN 'available' WHEN 2 THEN 'unavailable'
    WHEN 3 THEN 'creation_failed' WHEN 4 THEN 'creating'
    ELSE 'unknown(' || code::text || ')' END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION swas.status_label(code integer) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT swas.status_label(code::smallint)
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION swas.tags_object(tags jsonb) RETURNS jsonb
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT jsonb_object(ARRAY(SELECT ARRAY[t ->> 'key', t ->> 'value'] FROM jsonb_array_elements(tags) AS t))
$$;
--> statement-breakpoint
CREATE VIEW swas.status_codes AS
  SELECT code::smallint AS code, swas.status_label(code::smallint) AS label FROM generate_series(0, 4) AS code;
--> statement-breakpoint
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
CREATE VIEW swas.images_current AS
  SELECT * FROM swas.images_all WHERE deleted_at IS NULL;
--> statement-breakpoint
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
CREATE FUNCTION swas.images_as_of(ts timestamptz) RETURNS SETOF swas.image_versions
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT * FROM swas.image_versions WHERE valid_during @> ts
$$;
--> statement-breakpoint
CREATE VIEW swas.image_history AS
  SELECT e.id AS event_id, e.observed_at, e.sync_run_id, e.account, e.region_id, e.image_id, e.kind,
    e.old_status, swas.status_label(e.old_status) AS old_status_label,
    e.new_status, swas.status_label(e.new_status) AS new_status_label,
    e.changes
  FROM swas.image_events AS e;
--> statement-breakpoint
-- Unchanged since the first version of 0002; IF NOT EXISTS keeps this migration self-contained.
CREATE INDEX IF NOT EXISTS custom_image_versions_valid_during_idx ON swas.custom_image_versions
  USING gist (tstzrange(valid_from, coalesce(valid_to, 'infinity'::timestamptz)));
--> statement-breakpoint
ALTER TABLE swas.custom_image_versions SET (parallel_workers = 0);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS image_events_image_id_observed_idx ON swas.image_events USING btree (image_id, observed_at);
--> statement-breakpoint
-- The run bookkeeping for `runs` (and run monitoring in BI tools), as views like the inventory:
-- swas_reader reads views, never base tables. The same columns as the tables.
CREATE VIEW swas.runs AS
  SELECT id, trigger, status, started_at, finished_at, regions_total, regions_succeeded,
    regions_incomplete, regions_failed, images_seen, event_counts, error
  FROM swas.sync_runs;
--> statement-breakpoint
CREATE VIEW swas.region_runs AS
  SELECT id, sync_run_id, account, region_id, status, attempts, pages, api_calls, images_seen,
    created, updated, status_changed, tags_changed, deleted, restored, error_code, error_message,
    started_at, finished_at
  FROM swas.region_syncs;
--> statement-breakpoint
CREATE VIEW swas.region_freshness AS
  SELECT account, region_id, last_complete_listing_at, last_sync_run_id, last_status, updated_at
  FROM swas.region_states;
--> statement-breakpoint
-- The views were re-created, so their grants are given again (the same block as 0002's, which
-- is idempotent), plus the run bookkeeping views.
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
  GRANT SELECT ON swas.runs, swas.region_runs, swas.region_freshness TO swas_reader;
  -- The report commands check the schema version (drizzle's journal of applied migrations)
  -- instead of migrating, so a read-only login can tell "run migrate" from a real failure.
  GRANT USAGE ON SCHEMA drizzle TO swas_reader;
  GRANT SELECT ON drizzle.__drizzle_migrations TO swas_reader;
END
$$;
