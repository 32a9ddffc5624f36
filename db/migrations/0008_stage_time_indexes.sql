ALTER TABLE "incident_stage_times" ADD COLUMN "month" text;--> statement-breakpoint
UPDATE "incident_stage_times" SET "month" = to_char("created_at" at time zone 'UTC', 'YYYY-MM');--> statement-breakpoint
ALTER TABLE "incident_stage_times" ALTER COLUMN "month" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "incident_stage_times_business_unit_idx" ON "incident_stage_times" USING btree ("business_unit","stage","seconds","created_at");--> statement-breakpoint
CREATE INDEX "incident_stage_times_category_idx" ON "incident_stage_times" USING btree ("category","stage","seconds","created_at");--> statement-breakpoint
CREATE INDEX "incident_stage_times_severity_idx" ON "incident_stage_times" USING btree ("severity","stage","seconds","created_at");--> statement-breakpoint
CREATE INDEX "incident_stage_times_priority_idx" ON "incident_stage_times" USING btree ("priority","stage","seconds","created_at");--> statement-breakpoint
CREATE INDEX "incident_stage_times_playbook_id_idx" ON "incident_stage_times" USING btree ("playbook_id","stage","seconds","created_at");--> statement-breakpoint
CREATE INDEX "incident_stage_times_source_idx" ON "incident_stage_times" USING btree ("source","stage","seconds","created_at");--> statement-breakpoint
CREATE INDEX "incident_stage_times_month_idx" ON "incident_stage_times" USING btree ("month","stage","seconds","created_at");