-- The audit history is append-only, enforced by the database itself rather than by convention:
-- image_events accepts INSERT only; custom_image_versions accepts INSERT and the single UPDATE that
-- closes the open version (valid_to from NULL to a time, every other column unchanged).
CREATE FUNCTION swas.refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'swas.% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE FUNCTION swas.allow_version_close_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.valid_to IS NOT NULL OR NEW.valid_to IS NULL OR NEW.valid_to < OLD.valid_from
     OR (to_jsonb(NEW) - 'valid_to') IS DISTINCT FROM (to_jsonb(OLD) - 'valid_to') THEN
    RAISE EXCEPTION 'swas.custom_image_versions is append-only: only closing an open version (setting valid_to) is allowed'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER image_events_append_only BEFORE UPDATE OR DELETE ON swas.image_events
  FOR EACH ROW EXECUTE FUNCTION swas.refuse_history_change();
--> statement-breakpoint
CREATE TRIGGER image_events_no_truncate BEFORE TRUNCATE ON swas.image_events
  FOR EACH STATEMENT EXECUTE FUNCTION swas.refuse_history_change();
--> statement-breakpoint
CREATE TRIGGER custom_image_versions_close_only BEFORE UPDATE ON swas.custom_image_versions
  FOR EACH ROW EXECUTE FUNCTION swas.allow_version_close_only();
--> statement-breakpoint
CREATE TRIGGER custom_image_versions_no_delete BEFORE DELETE ON swas.custom_image_versions
  FOR EACH ROW EXECUTE FUNCTION swas.refuse_history_change();
--> statement-breakpoint
CREATE TRIGGER custom_image_versions_no_truncate BEFORE TRUNCATE ON swas.custom_image_versions
  FOR EACH STATEMENT EXECUTE FUNCTION swas.refuse_history_change();
