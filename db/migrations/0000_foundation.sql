CREATE TABLE "alerts" (
	"id" text PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"source_id" text NOT NULL,
	"incident_id" text NOT NULL,
	"title" text NOT NULL,
	"severity" text NOT NULL,
	"rule_id" text,
	"rule_name" text,
	"category" text,
	"assets" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"raw" jsonb,
	"correlation_key" text NOT NULL,
	"detected_at" timestamp with time zone,
	"received_at" timestamp with time zone NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"roles" jsonb NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "incident_events" (
	"incident_id" text NOT NULL,
	"seq" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"actor" text NOT NULL,
	"from_stage" text,
	"to_stage" text,
	"data" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "incident_events_pkey" PRIMARY KEY("incident_id","seq")
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"category" text,
	"stage" text NOT NULL,
	"severity" text NOT NULL,
	"priority" text NOT NULL,
	"playbook_id" text NOT NULL,
	"playbook_version" integer NOT NULL,
	"correlation_key" text,
	"alert_count" integer DEFAULT 0 NOT NULL,
	"fields" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"allowed_events" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"milestones" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"open" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"last_seq" integer NOT NULL,
	"last_hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "open_correlations" (
	"key" text PRIMARY KEY NOT NULL,
	"incident_id" text NOT NULL,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "playbook_versions" (
	"playbook_id" text NOT NULL,
	"version" integer NOT NULL,
	"hash" text NOT NULL,
	"document" json NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "playbook_versions_pkey" PRIMARY KEY("playbook_id","version")
);
--> statement-breakpoint
CREATE TABLE "stage_timings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"incident_id" text NOT NULL,
	"stage" text NOT NULL,
	"entered_seq" integer NOT NULL,
	"entered_at" timestamp with time zone NOT NULL,
	"left_seq" integer,
	"left_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "alerts_source_source_id_key" ON "alerts" USING btree ("source","source_id");--> statement-breakpoint
CREATE INDEX "alerts_incident_id_idx" ON "alerts" USING btree ("incident_id");--> statement-breakpoint
CREATE INDEX "incidents_stage_idx" ON "incidents" USING btree ("stage");--> statement-breakpoint
CREATE INDEX "incidents_created_at_idx" ON "incidents" USING btree ("created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "playbook_versions_id_hash_key" ON "playbook_versions" USING btree ("playbook_id","hash");--> statement-breakpoint
CREATE UNIQUE INDEX "stage_timings_incident_entered_key" ON "stage_timings" USING btree ("incident_id","entered_seq");