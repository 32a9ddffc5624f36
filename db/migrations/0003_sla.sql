CREATE TABLE "notification_channels" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"url" text NOT NULL,
	"secret_env" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "assignee" text;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "clocks" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "sla_breached" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "sla_next_deadline" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "incidents_sla_next_deadline_idx" ON "incidents" USING btree ("sla_next_deadline");