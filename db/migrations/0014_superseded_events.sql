CREATE TABLE "incident_events_superseded" (
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
	"recorded_by_task" integer,
	"superseded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "incident_events_superseded_incident_idx" ON "incident_events_superseded" USING btree ("incident_id","seq");