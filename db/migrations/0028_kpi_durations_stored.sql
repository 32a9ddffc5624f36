-- The six KPI durations stored with each measures row (one rewrite of the table, not six).
ALTER TABLE "incident_measures"
  ADD COLUMN "mttd_seconds" double precision GENERATED ALWAYS AS (date_part('epoch', detected_at - first_event_at)) STORED,
  ADD COLUMN "mtta_seconds" double precision GENERATED ALWAYS AS (date_part('epoch', acknowledged_at - created_at)) STORED,
  ADD COLUMN "mttc_seconds" double precision GENERATED ALWAYS AS (date_part('epoch', contained_at - created_at)) STORED,
  ADD COLUMN "mtte_seconds" double precision GENERATED ALWAYS AS (date_part('epoch', eradicated_at - contained_at)) STORED,
  ADD COLUMN "mttrec_seconds" double precision GENERATED ALWAYS AS (date_part('epoch', recovered_at - eradicated_at)) STORED,
  ADD COLUMN "mttr_seconds" double precision GENERATED ALWAYS AS (date_part('epoch', resolved_at - created_at)) STORED;
