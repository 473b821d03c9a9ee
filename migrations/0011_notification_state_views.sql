-- The console's /notifications page and `notifications status` for the read-only role: delivery
-- progress was read from the base tables, which swas_reader is not granted, so a swas_reader-only
-- console answered 403 there. These views show per subscription how far delivery has come, and
-- nothing a reader could use to act on it: no lease, and the subscription's target and secret live
-- in the accounts file, never in the database. event_commit_order gains observed_at (added at the
-- end, which CREATE OR REPLACE VIEW allows) so the lag's age needs no base table either.
CREATE VIEW swas.notification_cursor_state AS
  SELECT subscription, last_xid, last_event_id, created_at, updated_at
  FROM swas.notification_cursors;
--> statement-breakpoint
CREATE VIEW swas.notification_delivery_state AS
  SELECT subscription, event_id, account, image_id, state, attempts, next_attempt_at, last_error,
    created_at, delivered_at
  FROM swas.notification_deliveries;
--> statement-breakpoint
CREATE OR REPLACE VIEW swas.event_commit_order AS
  SELECT id, commit_xid, observed_at FROM swas.image_events;
--> statement-breakpoint
DO $$
BEGIN
  -- The role is created by 0002/0004 where the migrating role may; granted only where it exists.
  IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'swas_reader') THEN
    GRANT SELECT ON swas.notification_cursor_state, swas.notification_delivery_state,
      swas.event_commit_order TO swas_reader;
  END IF;
END
$$;
