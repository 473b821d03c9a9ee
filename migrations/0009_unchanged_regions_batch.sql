-- The unchanged-region records of several regions in one statement and one commit
-- (src/sync/unchanged-region-batch.ts): each region is decided and recorded exactly as
-- swas.record_unchanged_region_digests (0007) decides and records it alone, under its own
-- advisory lock, and writes nothing when it answers false. What the regions share is the round
-- trip and the commit, so their records land together or not at all (a region whose record is
-- lost with its batch is re-sent on its own by the caller).
-- The locks are taken in (account, region_id) order whatever order the caller sent, so two
-- batches can never wait on each other in a cycle; a region's single-region writers hold only
-- their own region's lock. The answer is in the order of p_regions.
CREATE FUNCTION swas.record_unchanged_regions_digests(p_regions jsonb) RETURNS boolean[] LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_region record;
  v_answers boolean[] := array_fill(false, ARRAY[jsonb_array_length(p_regions)]);
BEGIN
  FOR v_region IN
    SELECT r.value AS item, r.ordinality AS position
      FROM jsonb_array_elements(p_regions) WITH ORDINALITY AS r
      ORDER BY r.value->>'account', r.value->>'regionId', r.ordinality
  LOOP
    v_answers[v_region.position] := swas.record_unchanged_region_digests(
      (v_region.item->>'runId')::uuid, v_region.item->>'account', v_region.item->>'regionId',
      (v_region.item->>'listingStartedAt')::timestamptz, (v_region.item->>'startedAt')::timestamptz,
      v_region.item->>'digests', (v_region.item->>'pages')::integer, (v_region.item->>'apiCalls')::integer,
      (v_region.item->>'attempts')::integer);
  END LOOP;
  RETURN v_answers;
END;
$$;
