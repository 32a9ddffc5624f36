ALTER TABLE "context_risk_exceptions" ADD COLUMN "status" text;--> statement-breakpoint
ALTER TABLE "context_risk_exceptions" ADD COLUMN "lifecycle" jsonb;--> statement-breakpoint
ALTER TABLE "context_risk_exceptions" ADD COLUMN "recorded_seq" integer DEFAULT 0 NOT NULL;