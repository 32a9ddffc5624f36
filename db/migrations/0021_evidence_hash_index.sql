-- Which evidence items hold the bytes of a hash, across incidents: disposing of one item removes
-- the stored bytes only when no other item still holds them (db/evidence.reads.ts).
CREATE INDEX IF NOT EXISTS "incident_events_evidence_sha256_idx" ON "incident_events" (("data"->>'sha256')) WHERE "type" IN ('evidence_added', 'evidence_disposed');
