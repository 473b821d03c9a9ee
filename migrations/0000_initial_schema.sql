CREATE SCHEMA "swas";
--> statement-breakpoint
CREATE TABLE "swas"."custom_image_tags" (
	"account" text NOT NULL,
	"image_id" text NOT NULL,
	"key" text NOT NULL,
	"value" text NOT NULL,
	CONSTRAINT "custom_image_tags_account_image_id_key_value_pk" PRIMARY KEY("account","image_id","key","value")
);
--> statement-breakpoint
CREATE TABLE "swas"."custom_image_versions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"account" text NOT NULL,
	"image_id" text NOT NULL,
	"region_id" text NOT NULL,
	"name" text,
	"description" text,
	"status" smallint,
	"os_type" text,
	"creation_time" timestamp with time zone,
	"instance_id" text,
	"instance_name" text,
	"system_snapshot_id" text,
	"system_snapshot_name" text,
	"data_snapshot_id" text,
	"data_snapshot_name" text,
	"required_system_disk_size" integer,
	"required_data_disk_size" integer,
	"source_image_name" text,
	"source_image_version" text,
	"resource_group_id" text,
	"in_share" boolean,
	"in_share_user" boolean,
	"user_id" bigint,
	"create_instances" text[],
	"tags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"sync_run_id" uuid NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_to" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "swas"."custom_images" (
	"account" text NOT NULL,
	"image_id" text NOT NULL,
	"region_id" text NOT NULL,
	"name" text,
	"description" text,
	"status" smallint,
	"os_type" text,
	"creation_time" timestamp with time zone,
	"instance_id" text,
	"instance_name" text,
	"system_snapshot_id" text,
	"system_snapshot_name" text,
	"data_snapshot_id" text,
	"data_snapshot_name" text,
	"required_system_disk_size" integer,
	"required_data_disk_size" integer,
	"source_image_name" text,
	"source_image_version" text,
	"resource_group_id" text,
	"in_share" boolean,
	"in_share_user" boolean,
	"user_id" bigint,
	"create_instances" text[],
	"raw" jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "custom_images_account_image_id_pk" PRIMARY KEY("account","image_id")
);
--> statement-breakpoint
CREATE TABLE "swas"."image_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"sync_run_id" uuid NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	"account" text NOT NULL,
	"region_id" text NOT NULL,
	"image_id" text NOT NULL,
	"kind" text NOT NULL,
	"old_status" smallint,
	"new_status" smallint,
	"changes" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "swas"."region_states" (
	"account" text NOT NULL,
	"region_id" text NOT NULL,
	"last_complete_listing_at" timestamp with time zone,
	"last_sync_run_id" uuid,
	"last_status" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "region_states_account_region_id_pk" PRIMARY KEY("account","region_id")
);
--> statement-breakpoint
CREATE TABLE "swas"."region_syncs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"sync_run_id" uuid NOT NULL,
	"account" text NOT NULL,
	"region_id" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 1 NOT NULL,
	"pages" integer DEFAULT 0 NOT NULL,
	"api_calls" integer DEFAULT 0 NOT NULL,
	"images_seen" integer DEFAULT 0 NOT NULL,
	"created" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"status_changed" integer DEFAULT 0 NOT NULL,
	"tags_changed" integer DEFAULT 0 NOT NULL,
	"deleted" integer DEFAULT 0 NOT NULL,
	"restored" integer DEFAULT 0 NOT NULL,
	"error_code" text,
	"error_message" text,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "swas"."sync_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"trigger" text NOT NULL,
	"status" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"regions_total" integer DEFAULT 0 NOT NULL,
	"regions_succeeded" integer DEFAULT 0 NOT NULL,
	"regions_incomplete" integer DEFAULT 0 NOT NULL,
	"regions_failed" integer DEFAULT 0 NOT NULL,
	"images_seen" integer DEFAULT 0 NOT NULL,
	"event_counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text
);
--> statement-breakpoint
ALTER TABLE "swas"."region_syncs" ADD CONSTRAINT "region_syncs_sync_run_id_sync_runs_id_fk" FOREIGN KEY ("sync_run_id") REFERENCES "swas"."sync_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "custom_image_tags_key_value_idx" ON "swas"."custom_image_tags" USING btree ("key","value");--> statement-breakpoint
CREATE INDEX "custom_image_versions_image_idx" ON "swas"."custom_image_versions" USING btree ("account","image_id","valid_from");--> statement-breakpoint
CREATE INDEX "custom_image_versions_valid_idx" ON "swas"."custom_image_versions" USING btree ("valid_from","valid_to");--> statement-breakpoint
CREATE UNIQUE INDEX "custom_image_versions_one_open_key" ON "swas"."custom_image_versions" USING btree ("account","image_id") WHERE valid_to is null;--> statement-breakpoint
CREATE INDEX "custom_images_account_region_idx" ON "swas"."custom_images" USING btree ("account","region_id");--> statement-breakpoint
CREATE INDEX "custom_images_status_idx" ON "swas"."custom_images" USING btree ("status");--> statement-breakpoint
CREATE INDEX "image_events_image_idx" ON "swas"."image_events" USING btree ("account","image_id","observed_at");--> statement-breakpoint
CREATE INDEX "image_events_observed_idx" ON "swas"."image_events" USING btree ("observed_at");--> statement-breakpoint
CREATE INDEX "image_events_kind_observed_idx" ON "swas"."image_events" USING btree ("kind","observed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "region_syncs_run_account_region_key" ON "swas"."region_syncs" USING btree ("sync_run_id","account","region_id");--> statement-breakpoint
CREATE INDEX "region_syncs_account_region_idx" ON "swas"."region_syncs" USING btree ("account","region_id","started_at");