CREATE TABLE "audit_chain_events" (
	"chain" text NOT NULL,
	"seq" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"actor" text NOT NULL,
	"data" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"key_id" text,
	"signature" text,
	CONSTRAINT "audit_chain_events_pkey" PRIMARY KEY("chain","seq")
);
