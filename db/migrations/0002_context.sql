CREATE TABLE "context_assets" (
	"id" text PRIMARY KEY NOT NULL,
	"hostname" text NOT NULL,
	"ips" text[] NOT NULL,
	"owner" text NOT NULL,
	"business_unit" text NOT NULL,
	"business_process" text,
	"criticality" text NOT NULL,
	"data_classification" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "context_business_units" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"criticality" text NOT NULL,
	"manager" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "context_changes" (
	"id" text PRIMARY KEY NOT NULL,
	"asset_ids" text[] NOT NULL,
	"title" text NOT NULL,
	"planned_start" timestamp with time zone NOT NULL,
	"planned_end" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "context_intel" (
	"type" text NOT NULL,
	"indicator" text NOT NULL,
	"verdict" text NOT NULL,
	"confidence" integer NOT NULL,
	"source" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "context_intel_pkey" PRIMARY KEY("type","indicator")
);
--> statement-breakpoint
CREATE TABLE "context_risk_exceptions" (
	"id" text PRIMARY KEY NOT NULL,
	"asset_ids" text[],
	"rule_ids" text[],
	"expires_at" timestamp with time zone NOT NULL,
	"justification" text NOT NULL,
	"owner" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "observables" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "context" jsonb DEFAULT '{"assets":[],"businessUnits":[],"changes":[],"riskExceptions":[],"intel":[]}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "priority_reason" jsonb;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "possible_change_related" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "risk_exception_active" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "context_assets_hostname_idx" ON "context_assets" USING btree (lower("hostname"));--> statement-breakpoint
CREATE INDEX "context_assets_ips_idx" ON "context_assets" USING gin ("ips") WITH (fastupdate=false);--> statement-breakpoint
CREATE INDEX "context_changes_asset_ids_idx" ON "context_changes" USING gin ("asset_ids") WITH (fastupdate=false);--> statement-breakpoint
CREATE INDEX "context_changes_planned_idx" ON "context_changes" USING btree ("planned_start");--> statement-breakpoint
CREATE INDEX "context_risk_exceptions_expires_idx" ON "context_risk_exceptions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "incidents_priority_idx" ON "incidents" USING btree ("priority","created_at","id");