-- `history --follow` for the read-only role: the follower reads events in commit order
-- ((commit_xid, id), see src/notify/scan-events.ts), and the reporting views hid commit_xid, so a
-- swas_reader login could not follow. This view shows the order and nothing else (an event's
-- content is read through image_history as before); the planner inlines it, so the
-- (commit_xid, id) index of image_events serves it.
CREATE VIEW swas.event_commit_order AS
  SELECT id, commit_xid FROM swas.image_events;
--> statement-breakpoint
DO $$
BEGIN
  -- The role is created by 0002/0004 where the migrating role may; granted only where it exists.
  IF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'swas_reader') THEN
    GRANT SELECT ON swas.event_commit_order TO swas_reader;
  END IF;
END
$$;
