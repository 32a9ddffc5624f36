CREATE TABLE "incident_stage_times" (
	"incident_id" text NOT NULL,
	"stage" text NOT NULL,
	"seconds" double precision NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"playbook_id" text,
	"category" text,
	"severity" text,
	"priority" text,
	"business_unit" text,
	"source" text,
	CONSTRAINT "incident_stage_times_pkey" PRIMARY KEY("incident_id","stage")
);
--> statement-breakpoint
CREATE INDEX "incident_stage_times_created_at_idx" ON "incident_stage_times" USING btree ("created_at");--> statement-breakpoint
INSERT INTO "incident_stage_times" ("incident_id", "stage", "seconds", "created_at", "playbook_id", "category", "severity", "priority", "business_unit", "source")
SELECT m."incident_id", s.key, s.value::float8, m."created_at", m."playbook_id", m."category", m."severity", m."priority", m."business_unit", m."source"
FROM "incident_measures" m CROSS JOIN LATERAL jsonb_each(m."stage_seconds") s
WHERE m."created_at" IS NOT NULL;
