CREATE TABLE "swas"."notification_cursors" (
	"subscription" text PRIMARY KEY NOT NULL,
	"last_xid" "xid8" NOT NULL,
	"last_event_id" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "swas"."notification_deliveries" (
	"subscription" text NOT NULL,
	"event_id" bigint NOT NULL,
	"account" text NOT NULL,
	"image_id" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_until" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	CONSTRAINT "notification_deliveries_subscription_event_id_pk" PRIMARY KEY("subscription","event_id")
);
--> statement-breakpoint
-- Added without a default first, then given one: a volatile default in ADD COLUMN would rewrite
-- the whole (append-only) history; existing events keep NULL (older than every subscription).
ALTER TABLE "swas"."image_events" ADD COLUMN "commit_xid" "xid8";--> statement-breakpoint
ALTER TABLE "swas"."image_events" ALTER COLUMN "commit_xid" SET DEFAULT pg_current_xact_id();--> statement-breakpoint
CREATE INDEX "notification_deliveries_pending_idx" ON "swas"."notification_deliveries" USING btree ("subscription","account","image_id","event_id") WHERE state = 'pending';--> statement-breakpoint
CREATE INDEX "notification_deliveries_state_idx" ON "swas"."notification_deliveries" USING btree ("subscription","state");--> statement-breakpoint
CREATE INDEX "image_events_commit_xid_idx" ON "swas"."image_events" USING btree ("commit_xid","id");