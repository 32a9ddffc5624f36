CREATE TABLE "simulation_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"progress" real DEFAULT 0 NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"forecast" jsonb,
	"error" text
);
--> statement-breakpoint
CREATE INDEX "simulation_runs_started_at_idx" ON "simulation_runs" USING btree ("started_at");