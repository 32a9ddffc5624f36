-- Checkpoints and their leaves are append-only, as the ledger is (0015).
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints FOR EACH ROW EXECUTE FUNCTION irflow_refuse_ledger_change();
--> statement-breakpoint
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints FOR EACH STATEMENT EXECUTE FUNCTION irflow_refuse_ledger_change();
--> statement-breakpoint
CREATE TRIGGER checkpoint_heads_append_only BEFORE UPDATE OR DELETE ON checkpoint_heads FOR EACH ROW EXECUTE FUNCTION irflow_refuse_ledger_change();
--> statement-breakpoint
CREATE TRIGGER checkpoint_heads_no_truncate BEFORE TRUNCATE ON checkpoint_heads FOR EACH STATEMENT EXECUTE FUNCTION irflow_refuse_ledger_change();
