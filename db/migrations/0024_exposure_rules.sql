CREATE TABLE "exposure_matches" (
	"rule_id" text NOT NULL,
	"change_id" text NOT NULL,
	"rule_version" integer NOT NULL,
	"incident_id" text NOT NULL,
	"change_kind" text,
	"matched_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "exposure_matches_pkey" PRIMARY KEY("rule_id","change_id")
);
--> statement-breakpoint
CREATE TABLE "exposure_rule_versions" (
	"rule_id" text NOT NULL,
	"version" integer NOT NULL,
	"hash" text NOT NULL,
	"document" json NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	CONSTRAINT "exposure_rule_versions_pkey" PRIMARY KEY("rule_id","version")
);
--> statement-breakpoint
ALTER TABLE "context_changes" ADD COLUMN "kind" text;--> statement-breakpoint
ALTER TABLE "context_changes" ADD COLUMN "before" jsonb;--> statement-breakpoint
ALTER TABLE "context_changes" ADD COLUMN "after" jsonb;--> statement-breakpoint
ALTER TABLE "context_changes" ADD COLUMN "attributes" jsonb;--> statement-breakpoint
CREATE INDEX "exposure_matches_incident_idx" ON "exposure_matches" USING btree ("incident_id");--> statement-breakpoint
CREATE UNIQUE INDEX "exposure_rule_versions_id_hash_key" ON "exposure_rule_versions" USING btree ("rule_id","hash");