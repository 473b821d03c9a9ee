ALTER TABLE "swas"."region_states" ADD COLUMN "listing_started_at" timestamp with time zone;--> statement-breakpoint
-- The unchanged-region fast path (src/sync/record-unchanged-region.ts): ONE statement decides
-- whether a complete listing equals what is stored for the region and, only if it does, records
-- the region's outcome. Under the region's advisory lock (the lock every region writer takes), and
-- VOLATILE so each query below sees everything committed before the lock was granted. Returns
-- false, having written nothing, whenever the sync must take the full path instead: the region
-- was never synced, a newer listing was recorded since this one started (the full path refuses
-- it as stale), or any listed item differs from its stored raw item, is stored in another region,
-- is deleted, or is missing, or a stored present image was not listed.
CREATE FUNCTION swas.record_unchanged_region(
  p_run_id uuid, p_account text, p_region_id text, p_listing_started_at timestamptz, p_started_at timestamptz,
  p_items jsonb, p_pages integer, p_api_calls integer, p_attempts integer
) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_state swas.region_states%ROWTYPE;
  v_now timestamptz;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext(p_account), hashtext(p_region_id));
  SELECT * INTO v_state FROM swas.region_states WHERE account = p_account AND region_id = p_region_id;
  IF NOT FOUND OR v_state.listing_started_at > p_listing_started_at THEN
    RETURN false;
  END IF;
  IF (SELECT count(*) FROM swas.custom_images
      WHERE account = p_account AND region_id = p_region_id AND deleted_at IS NULL) <> jsonb_array_length(p_items) THEN
    RETURN false;
  END IF;
  IF EXISTS (SELECT 1 FROM jsonb_array_elements(p_items) AS e(item)
             LEFT JOIN swas.custom_images c ON c.account = p_account AND c.image_id = e.item->>'ImageId'
             WHERE c.image_id IS NULL OR c.region_id <> p_region_id OR c.deleted_at IS NOT NULL OR c.raw <> e.item) THEN
    RETURN false;
  END IF;
  v_now := clock_timestamp();
  -- As recordRegionSync: a second commit of the region in the same run adds its calls up.
  INSERT INTO swas.region_syncs AS r (sync_run_id, account, region_id, status, attempts, pages, api_calls, images_seen,
      created, updated, status_changed, tags_changed, deleted, restored, error_code, error_message, started_at, finished_at)
    VALUES (p_run_id, p_account, p_region_id, 'succeeded', p_attempts, p_pages, p_api_calls, jsonb_array_length(p_items),
      0, 0, 0, 0, 0, 0, NULL, NULL, p_started_at, v_now)
    ON CONFLICT (sync_run_id, account, region_id) DO UPDATE SET
      status = excluded.status, attempts = greatest(r.attempts, excluded.attempts), started_at = least(r.started_at, excluded.started_at),
      pages = r.pages + excluded.pages, api_calls = r.api_calls + excluded.api_calls, images_seen = excluded.images_seen,
      error_code = NULL, error_message = NULL, finished_at = excluded.finished_at;
  UPDATE swas.region_states SET last_sync_run_id = p_run_id, last_status = 'succeeded', updated_at = v_now,
      last_complete_listing_at = v_now, listing_started_at = p_listing_started_at
    WHERE account = p_account AND region_id = p_region_id;
  RETURN true;
END;
$$;
