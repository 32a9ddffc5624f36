CREATE TABLE "checkpoint_heads" (
	"checkpoint_seq" integer NOT NULL,
	"leaf_index" integer NOT NULL,
	"chain_id" text NOT NULL,
	"last_seq" integer NOT NULL,
	"last_hash" text NOT NULL,
	CONSTRAINT "checkpoint_heads_pkey" PRIMARY KEY("checkpoint_seq","leaf_index")
);
--> statement-breakpoint
CREATE TABLE "checkpoints" (
	"seq" integer PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"size" integer NOT NULL,
	"root" text NOT NULL,
	"previous_root" text,
	"key_id" text,
	"signature" text
);
--> statement-breakpoint
CREATE INDEX "checkpoint_heads_chain_idx" ON "checkpoint_heads" USING btree ("chain_id","checkpoint_seq");