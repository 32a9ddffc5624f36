ALTER TABLE "alerts" ADD COLUMN "mitre" jsonb;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "sources" jsonb;