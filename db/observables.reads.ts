/**
 * Observables across incidents, read where they were recorded: alerts (the alerts table) and the
 * ledger's notes and hand-added observables. Nothing is copied: an incident shows, per
 * observable, how many other incidents saw it, and the observable's own page lists them.
 */
import { sql } from 'drizzle-orm';
import type { Observable, ObservableType } from '../machines/context.types.js';
import type { Database } from './client.js';
import { selectRows } from './sql-rows.js';
import { mergedFamily } from './incidents.reads.js';

/** Ledger events that name observables (their `data.observables`). */
const NAMING = sql`('note_added', 'note_edited', 'observable_added')`;

export interface Sighting {
  incidentId: string;
  title: string;
  stage: string;
  priority: string;
  open: boolean;
  firstSeen: string;
  lastSeen: string;
  /** Where the incident saw it: `alert`, `note`, `person` (added by hand). */
  seenIn: string[];
  /** Marked as an indicator of compromise on this incident. */
  ioc: boolean;
}

const iso = (value: unknown) => new Date(value as string).toISOString();

/** Every incident that saw the observable, the most recent sighting first. */
export async function sightings(db: Database, { type, value }: Observable, limit = 500): Promise<Sighting[]> {
  const probe = JSON.stringify([{ type, value }]);
  const rows = await selectRows<{ incident_id: string; title: string; stage: string; priority: string; open: boolean; first_seen: string; last_seen: string; seen_in: string[]; ioc: boolean }>(
    db,
    sql`with seen as (
          select a.incident_id, a.received_at as at, 'alert' as seen_in, false as ioc from alerts a where a.observables @> ${probe}::jsonb
          union all
          select e.incident_id, e.at, case e.type when 'observable_added' then 'person' else 'note' end, coalesce((e.data->>'ioc')::boolean, false)
            from incident_events e where e.type in ${NAMING} and e.data->'observables' @> ${probe}::jsonb
        )
        select s.incident_id, i.title, i.stage, i.priority, i.open, min(s.at) as first_seen, max(s.at) as last_seen,
               array_agg(distinct s.seen_in order by s.seen_in) as seen_in, bool_or(s.ioc) as ioc
        from seen s join incidents i on i.id = s.incident_id
        group by s.incident_id, i.title, i.stage, i.priority, i.open
        order by max(s.at) desc limit ${limit}`,
  );
  return rows.map((r) => ({ incidentId: r.incident_id, title: r.title, stage: r.stage, priority: r.priority, open: r.open, firstSeen: iso(r.first_seen), lastSeen: iso(r.last_seen), seenIn: r.seen_in, ioc: r.ioc }));
}

export interface IncidentObservable extends Observable {
  /** Other incidents that saw it (follow `link` for them). */
  otherIncidents: number;
  link: string;
  ioc: boolean;
}

/**
 * The observables an incident saw (alerts, notes, by hand; those of incidents merged into it
 * too), each with how many other incidents saw it.
 */
export async function incidentObservables(db: Database, incidentId: string, limit = 200): Promise<IncidentObservable[]> {
  const family = sql.join((await mergedFamily(db, incidentId)).map((id) => sql`${id}`), sql`, `);
  const rows = await selectRows<{ type: ObservableType; value: string; ioc: boolean; others: number | string }>(
    db,
    sql`with mine as (
          select o->>'type' as type, o->>'value' as value, false as ioc
            from alerts a cross join lateral jsonb_array_elements(a.observables) o where a.incident_id in (${family})
          union all
          select o->>'type', o->>'value', coalesce((e.data->>'ioc')::boolean, false)
            from incident_events e cross join lateral jsonb_array_elements(e.data->'observables') o
            where e.incident_id in (${family}) and e.type in ${NAMING}
        ), distinct_mine as (
          select type, value, bool_or(ioc) as ioc from mine group by type, value order by type, value limit ${limit}
        )
        select m.type, m.value, m.ioc, (
          select count(distinct x.incident_id) from (
            select a.incident_id from alerts a where a.observables @> jsonb_build_array(jsonb_build_object('type', m.type, 'value', m.value))
            union
            select e.incident_id from incident_events e where e.type in ${NAMING} and e.data->'observables' @> jsonb_build_array(jsonb_build_object('type', m.type, 'value', m.value))
          ) x where x.incident_id not in (${family})
        ) as others
        from distinct_mine m order by m.type, m.value`,
  );
  return rows.map((r) => ({ type: r.type, value: r.value, ioc: r.ioc, otherIncidents: Number(r.others), link: `/v1/observables/${r.type}/${encodeURIComponent(r.value)}` }));
}
