CREATE TABLE "recording_failures" (
	"incident_id" text NOT NULL,
	"seq" integer NOT NULL,
	"step_type" text NOT NULL,
	"reason" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "recording_failures_pkey" PRIMARY KEY("incident_id","seq")
);
--> statement-breakpoint
CREATE TABLE "recording_retries" (
	"incident_id" text PRIMARY KEY NOT NULL,
	"seq" integer NOT NULL,
	"attempts" integer NOT NULL,
	"first_failed_at" timestamp with time zone NOT NULL,
	"last_failed_at" timestamp with time zone NOT NULL,
	"last_error" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "normalised" jsonb;--> statement-breakpoint
CREATE INDEX "recording_failures_at_idx" ON "recording_failures" USING btree ("at");--> statement-breakpoint
CREATE INDEX "alerts_delivered_at_idx" ON "alerts" USING btree ("delivered_at");