ALTER TABLE "incidents" ADD COLUMN "head_key_id" text;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "head_signature" text;