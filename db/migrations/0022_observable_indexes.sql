-- Observables across incidents (db/observables.reads.ts): which alerts, and which notes and
-- hand-added observables of the ledger, name an observable. Containment queries (@>) use these.
CREATE INDEX IF NOT EXISTS "alerts_observables_gin_idx" ON "alerts" USING gin ("observables" jsonb_path_ops);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "incident_events_observables_gin_idx" ON "incident_events" USING gin (("data"->'observables') jsonb_path_ops) WHERE "type" IN ('note_added', 'note_edited', 'observable_added');
