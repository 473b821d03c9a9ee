-- A region's first listing in one statement (src/sync/record-first-listing.ts): what the full
-- path writes for a complete listing of a region never recorded, when none of the listed ids is
-- stored for the account. Every listed image is then new, so the whole diff is known without
-- reading anything: a current row, its tags, an open version and a `created` event per image, in
-- listing order, then the region's region_syncs and region_states rows. The full path spends about
-- 14 statements on that, each unprepared (two round trips); the cold fill of issue 24 cost
-- 10-20 ms of CPU a region of 15 images. This is one prepared call.
-- The images arrive as the full path would write them (the same normalizer, content hash and
-- diff, in src/sync), as rows of swas.first_listing_image; `tags` is the version's tag list.
-- Under the region's advisory lock, like every region writer. Returns false, having written
-- nothing, whenever the full path must decide: the region has a region_states row (recorded, or
-- failed, since the listing began), or a row of the account has this region or a listed id. An id
-- inserted by another region's transaction after that check raises unique_violation: nothing of
-- the call stays, and the caller takes the full path, which sees the committed row.
CREATE TYPE swas.first_listing_image AS (
  image_id text, region_id text, name text, description text, status smallint, os_type text,
  creation_time timestamptz, instance_id text, instance_name text, system_snapshot_id text, system_snapshot_name text,
  data_snapshot_id text, data_snapshot_name text, required_system_disk_size integer, required_data_disk_size integer,
  source_image_name text, source_image_version text, resource_group_id text, in_share boolean, in_share_user boolean,
  user_id bigint, create_instances text[], raw jsonb, content_hash text, tags_known boolean, tags jsonb
);--> statement-breakpoint
CREATE FUNCTION swas.record_first_listing(
  p_run_id uuid, p_account text, p_region_id text, p_listing_started_at timestamptz, p_started_at timestamptz,
  p_images jsonb, p_pages integer, p_api_calls integer, p_attempts integer
) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_images swas.first_listing_image[];
  v_count integer;
  v_inserted integer;
  v_now timestamptz;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext(p_account), hashtext(p_region_id));
  IF EXISTS (SELECT 1 FROM swas.region_states WHERE account = p_account AND region_id = p_region_id) THEN
    RETURN false;
  END IF;
  v_images := ARRAY(SELECT r FROM jsonb_populate_recordset(NULL::swas.first_listing_image, p_images) AS r);
  v_count := coalesce(array_length(v_images, 1), 0);
  IF EXISTS (SELECT 1 FROM swas.custom_images WHERE account = p_account AND region_id = p_region_id) OR
     EXISTS (SELECT 1 FROM swas.custom_images
             WHERE account = p_account AND image_id IN (SELECT i.image_id FROM unnest(v_images) AS i)) THEN
    RETURN false;
  END IF;
  -- As the full path: every row of the region is stamped with the clock read once the lock is held.
  v_now := clock_timestamp();

  WITH inserted AS (
    INSERT INTO swas.custom_images (account, image_id, region_id, name, description, status, os_type, creation_time,
        instance_id, instance_name, system_snapshot_id, system_snapshot_name, data_snapshot_id, data_snapshot_name,
        required_system_disk_size, required_data_disk_size, source_image_name, source_image_version, resource_group_id,
        in_share, in_share_user, user_id, create_instances, raw, content_hash, first_seen_at, changed_at, deleted_at, tags_known)
      SELECT p_account, i.image_id, i.region_id, i.name, i.description, i.status, i.os_type, i.creation_time,
        i.instance_id, i.instance_name, i.system_snapshot_id, i.system_snapshot_name, i.data_snapshot_id, i.data_snapshot_name,
        i.required_system_disk_size, i.required_data_disk_size, i.source_image_name, i.source_image_version, i.resource_group_id,
        i.in_share, i.in_share_user, i.user_id, i.create_instances, i.raw, i.content_hash, v_now, v_now, NULL, i.tags_known
      FROM unnest(v_images) WITH ORDINALITY AS i ORDER BY i.ordinality
      ON CONFLICT DO NOTHING
      RETURNING 1)
  SELECT count(*) INTO v_inserted FROM inserted;
  IF v_inserted < v_count THEN
    RAISE EXCEPTION 'another region of account % wrote % of the ids first listed in %', p_account, v_count - v_inserted, p_region_id
      USING ERRCODE = 'unique_violation';
  END IF;

  -- The wire may repeat an identical tag; the table's key is (account, image, key, value).
  INSERT INTO swas.custom_image_tags (account, image_id, key, value)
    SELECT DISTINCT p_account, i.image_id, t.tag->>'key', t.tag->>'value'
      FROM unnest(v_images) AS i, jsonb_array_elements(i.tags) AS t(tag);

  INSERT INTO swas.custom_image_versions (account, image_id, region_id, name, description, status, os_type, creation_time,
      instance_id, instance_name, system_snapshot_id, system_snapshot_name, data_snapshot_id, data_snapshot_name,
      required_system_disk_size, required_data_disk_size, source_image_name, source_image_version, resource_group_id,
      in_share, in_share_user, user_id, create_instances, tags, content_hash, sync_run_id, valid_from, valid_to)
    SELECT p_account, i.image_id, i.region_id, i.name, i.description, i.status, i.os_type, i.creation_time,
      i.instance_id, i.instance_name, i.system_snapshot_id, i.system_snapshot_name, i.data_snapshot_id, i.data_snapshot_name,
      i.required_system_disk_size, i.required_data_disk_size, i.source_image_name, i.source_image_version, i.resource_group_id,
      i.in_share, i.in_share_user, i.user_id, i.create_instances, i.tags, i.content_hash, p_run_id, v_now, NULL
    FROM unnest(v_images) WITH ORDINALITY AS i ORDER BY i.ordinality;

  INSERT INTO swas.image_events (sync_run_id, observed_at, account, region_id, image_id, kind, old_status, new_status, changes)
    SELECT p_run_id, v_now, p_account, p_region_id, i.image_id, 'created', NULL, i.status, '{}'::jsonb
    FROM unnest(v_images) WITH ORDINALITY AS i ORDER BY i.ordinality;

  -- As recordRegionSync: a second commit of the region in the same run adds its counts up.
  INSERT INTO swas.region_syncs AS r (sync_run_id, account, region_id, status, attempts, pages, api_calls, images_seen,
      created, updated, status_changed, tags_changed, deleted, restored, error_code, error_message, started_at, finished_at)
    VALUES (p_run_id, p_account, p_region_id, 'succeeded', p_attempts, p_pages, p_api_calls, v_count,
      v_count, 0, 0, 0, 0, 0, NULL, NULL, p_started_at, v_now)
    ON CONFLICT (sync_run_id, account, region_id) DO UPDATE SET
      status = excluded.status, attempts = greatest(r.attempts, excluded.attempts), started_at = least(r.started_at, excluded.started_at),
      pages = r.pages + excluded.pages, api_calls = r.api_calls + excluded.api_calls, images_seen = excluded.images_seen,
      created = r.created + excluded.created, updated = r.updated, status_changed = r.status_changed, tags_changed = r.tags_changed,
      deleted = r.deleted, restored = r.restored, error_code = NULL, error_message = NULL, finished_at = excluded.finished_at;
  -- A failure recorded for the region meanwhile (recordRegionFailure takes no region lock) is
  -- overwritten, as recordRegionSync's upsert would.
  INSERT INTO swas.region_states AS s (account, region_id, last_sync_run_id, last_status, updated_at, listing_started_at, last_complete_listing_at)
    VALUES (p_account, p_region_id, p_run_id, 'succeeded', v_now, p_listing_started_at, v_now)
    ON CONFLICT (account, region_id) DO UPDATE SET last_sync_run_id = excluded.last_sync_run_id, last_status = excluded.last_status,
      updated_at = excluded.updated_at, listing_started_at = excluded.listing_started_at, last_complete_listing_at = excluded.last_complete_listing_at;
  RETURN true;
END;
$$;--> statement-breakpoint
-- Several regions' first listings in one statement and one commit, as 0009 batches unchanged
-- records: each region is decided and written exactly as alone, under its own lock, the locks
-- taken in (account, region_id) order whatever the order sent. The answer is in p_regions' order.
CREATE FUNCTION swas.record_first_listings(p_regions jsonb) RETURNS boolean[] LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_region record;
  v_answers boolean[] := array_fill(false, ARRAY[jsonb_array_length(p_regions)]);
BEGIN
  FOR v_region IN
    SELECT r.value AS item, r.ordinality AS position
      FROM jsonb_array_elements(p_regions) WITH ORDINALITY AS r
      ORDER BY r.value->>'account', r.value->>'regionId', r.ordinality
  LOOP
    v_answers[v_region.position] := swas.record_first_listing(
      (v_region.item->>'runId')::uuid, v_region.item->>'account', v_region.item->>'regionId',
      (v_region.item->>'listingStartedAt')::timestamptz, (v_region.item->>'startedAt')::timestamptz,
      v_region.item->'images', (v_region.item->>'pages')::integer, (v_region.item->>'apiCalls')::integer,
      (v_region.item->>'attempts')::integer);
  END LOOP;
  RETURN v_answers;
END;
$$;
