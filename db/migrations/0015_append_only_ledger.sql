-- The ledger is append-only in the database itself: UPDATE, DELETE and TRUNCATE of audit events,
-- superseded events and the access log are refused by triggers, for every role (a superuser has
-- to disable the triggers first, and that is not something an application does by mistake).
-- The one removal irflow makes - rows a lost workflow task recorded, superseded by a later task -
-- goes through irflow_supersede_events, which moves them into incident_events_superseded.
CREATE FUNCTION irflow_refuse_ledger_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'incident_events' AND current_setting('irflow.superseding', true) = 'on' THEN
    INSERT INTO incident_events_superseded (incident_id, seq, at, type, actor, from_stage, to_stage, data, prev_hash, hash, recorded_by_task)
    VALUES (OLD.incident_id, OLD.seq, OLD.at, OLD.type, OLD.actor, OLD.from_stage, OLD.to_stage, OLD.data, OLD.prev_hash, OLD.hash, OLD.recorded_by_task);
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'the table % is append-only: % is refused', TG_TABLE_NAME, TG_OP USING ERRCODE = '42501';
END
$$;
--> statement-breakpoint
CREATE TRIGGER incident_events_append_only BEFORE UPDATE OR DELETE ON incident_events FOR EACH ROW EXECUTE FUNCTION irflow_refuse_ledger_change();
--> statement-breakpoint
CREATE TRIGGER incident_events_no_truncate BEFORE TRUNCATE ON incident_events FOR EACH STATEMENT EXECUTE FUNCTION irflow_refuse_ledger_change();
--> statement-breakpoint
CREATE TRIGGER incident_events_superseded_append_only BEFORE UPDATE OR DELETE ON incident_events_superseded FOR EACH ROW EXECUTE FUNCTION irflow_refuse_ledger_change();
--> statement-breakpoint
CREATE TRIGGER incident_events_superseded_no_truncate BEFORE TRUNCATE ON incident_events_superseded FOR EACH STATEMENT EXECUTE FUNCTION irflow_refuse_ledger_change();
--> statement-breakpoint
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log FOR EACH ROW EXECUTE FUNCTION irflow_refuse_ledger_change();
--> statement-breakpoint
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log FOR EACH STATEMENT EXECUTE FUNCTION irflow_refuse_ledger_change();
--> statement-breakpoint
-- Runs as its owner (the role that migrates), so an application role needs no DELETE on the ledger.
CREATE FUNCTION irflow_supersede_events(target_incident text, from_seq integer) RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  moved integer;
BEGIN
  PERFORM set_config('irflow.superseding', 'on', true);
  DELETE FROM incident_events WHERE incident_id = target_incident AND seq >= from_seq;
  GET DIAGNOSTICS moved = ROW_COUNT;
  PERFORM set_config('irflow.superseding', 'off', true);
  RETURN moved;
END
$$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION irflow_supersede_events(text, integer) FROM PUBLIC;
