-- The system and access chains are append-only, as the incident ledger is (0015).
CREATE TRIGGER audit_chain_events_append_only BEFORE UPDATE OR DELETE ON audit_chain_events FOR EACH ROW EXECUTE FUNCTION irflow_refuse_ledger_change();
--> statement-breakpoint
CREATE TRIGGER audit_chain_events_no_truncate BEFORE TRUNCATE ON audit_chain_events FOR EACH STATEMENT EXECUTE FUNCTION irflow_refuse_ledger_change();
