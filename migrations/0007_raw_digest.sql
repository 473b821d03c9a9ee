-- The digest of a stored raw item (custom_images.raw_digest, src/db/schema.ts): SHA-256 of jsonb's
-- canonical text. convert_to is only STABLE (it looks the conversion up in the catalog), but its
-- result here depends on the database's encoding alone, which is fixed when the database is
-- created, so this wrapper is immutable in fact and may feed a generated column.
CREATE FUNCTION swas.raw_digest(p_raw jsonb) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT sha256(convert_to(p_raw::text, 'UTF8')) $$;--> statement-breakpoint
-- Generated, so every writer of raw keeps it right without a line of code, and adding it computes
-- it for the rows already there: the one-time backfill of an upgrade happens here, in the
-- migration (one rewrite of custom_images), not as writes of the next sync.
ALTER TABLE "swas"."custom_images" ADD COLUMN "raw_digest" "bytea" GENERATED ALWAYS AS (swas.raw_digest(raw)) STORED NOT NULL;--> statement-breakpoint
-- The unchanged-region fast path by digest (src/sync/record-unchanged-region.ts): the same
-- decision as swas.record_unchanged_region (0003), with the listing given as the SHA-256 digests
-- of its items' jsonb text (src/sync/raw-digest.ts), sorted and concatenated as hex, instead of
-- the items themselves: about 1 KB a region instead of 20 KB to send, parse and compare. The
-- region is unchanged exactly when the sorted digests of its stored present rows equal the
-- listing's: digests are of the whole item, ImageId and RegionId included, so this is "every
-- listed item is stored in this region, present and equal, and nothing stored present was not
-- listed" (an item stored under another region, deleted or missing has no equal digest here).
-- Returns false, having written nothing, whenever the full path must run. The 0003 function is
-- kept for binaries of the previous version.
CREATE FUNCTION swas.record_unchanged_region_digests(
  p_run_id uuid, p_account text, p_region_id text, p_listing_started_at timestamptz, p_started_at timestamptz,
  p_digests text, p_pages integer, p_api_calls integer, p_attempts integer
) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_found boolean;
  v_listing_started_at timestamptz;
  v_listed bytea := decode(p_digests, 'hex');
  v_now timestamptz;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext(p_account), hashtext(p_region_id));
  SELECT true, listing_started_at INTO v_found, v_listing_started_at
    FROM swas.region_states WHERE account = p_account AND region_id = p_region_id;
  IF v_found IS NULL OR v_listing_started_at > p_listing_started_at THEN
    RETURN false;
  END IF;
  IF coalesce((SELECT string_agg(raw_digest, ''::bytea ORDER BY raw_digest) FROM swas.custom_images
               WHERE account = p_account AND region_id = p_region_id AND deleted_at IS NULL), ''::bytea) <> v_listed THEN
    RETURN false;
  END IF;
  v_now := clock_timestamp();
  -- As recordRegionSync: a second commit of the region in the same run adds its calls up.
  INSERT INTO swas.region_syncs AS r (sync_run_id, account, region_id, status, attempts, pages, api_calls, images_seen,
      created, updated, status_changed, tags_changed, deleted, restored, error_code, error_message, started_at, finished_at)
    VALUES (p_run_id, p_account, p_region_id, 'succeeded', p_attempts, p_pages, p_api_calls, octet_length(v_listed) / 32,
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
