/**
 * Reports on what happens over time: root causes, policy violations, threat trends, targeting.
 * SQL over the measures table (one row per incident), joined to alerts or playbook versions
 * where a report needs them.
 */
import { sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { createdIn, monthOf, type KpiWindow } from './kpis.reads.js';
import { selectRows } from './sql-rows.js';

export type ReportRow = Record<string, string | number | boolean | null>;
/** A report's answer: `rows` (what CSV renders) and, for some, further sections. */
export type ReportSections = { rows: ReportRow[] } & Record<string, ReportRow[]>;

const month = monthOf(sql`m.created_at`);
/** Incidents (alias m) created in the window. */
export const inWindow = (w: KpiWindow) => createdIn(w, sql`m.created_at`);

export async function rootCauses(db: Database, w: KpiWindow): Promise<ReportSections> {
  const rows = await selectRows<ReportRow>(
    db,
    sql`select ${month} as month, m.business_unit as "businessUnit", m.root_cause as "rootCause",
          coalesce((pv.document::jsonb -> 'fields' -> 'rootCause' -> 'values') ? m.root_cause, false) as controlled,
          count(*)::int as incidents
        from incident_measures m
        join incidents i on i.id = m.incident_id
        left join playbook_versions pv on pv.playbook_id = i.playbook_id and pv.version = i.playbook_version
        where ${inWindow(w)} and m.root_cause is not null
        group by 1, 2, 3, 4 order by 1, 2 nulls last, 5 desc, 3`,
  );
  return { rows };
}

export async function policyViolations(db: Database, w: KpiWindow): Promise<ReportSections> {
  const rows = await selectRows<ReportRow>(
    db,
    sql`select ${month} as month, m.business_unit as "businessUnit", m.category,
          count(*)::int as incidents, (count(*) filter (where m.open))::int as open
        from incident_measures m
        where ${inWindow(w)} and m.category in ('policy-violation', 'compliance')
        group by 1, 2, 3 order by 1, 2 nulls last, 3`,
  );
  return { rows };
}

export async function threatTrends(db: Database, w: KpiWindow): Promise<ReportSections> {
  const rows = await selectRows<ReportRow>(
    db,
    sql`select month, dimension, value, count(distinct incident_id)::int as incidents from (
          select ${month} as month, 'threatSource' as dimension, m.threat_source as value, m.incident_id from incident_measures m where ${inWindow(w)} and m.threat_source is not null
          union all
          select ${month}, 'vector', m.vector, m.incident_id from incident_measures m where ${inWindow(w)} and m.vector is not null
          union all
          select ${month}, 'technique', t.value, m.incident_id
            from incident_measures m join alerts a on a.incident_id = m.incident_id
            cross join lateral jsonb_array_elements_text(a.techniques) t(value)
            where ${inWindow(w)}
        ) named
        group by 1, 2, 3 order by 1, 2, 4 desc, 3`,
  );
  return { rows };
}

export async function targeting(db: Database, w: KpiWindow): Promise<ReportSections> {
  const previous: KpiWindow = { from: new Date(2 * w.from.getTime() - w.to.getTime()), to: w.from };
  const rows = await selectRows<ReportRow>(
    db,
    sql`select "businessUnit", "businessProcess", sum(now)::int as incidents, sum(before)::int as previous,
          case when sum(before) = 0 then null else ((sum(now) - sum(before))::float8 / sum(before)) end as change
        from (
          select m.business_unit as "businessUnit", m.business_process as "businessProcess",
            (case when ${inWindow(w)} then 1 else 0 end) as now, (case when ${inWindow(previous)} then 1 else 0 end) as before
          from incident_measures m where m.created_at >= ${previous.from.toISOString()} and m.created_at < ${w.to.toISOString()}
        ) counted
        group by 1, 2 order by 3 desc, 1 nulls last, 2 nulls last`,
  );
  const byMonth = await selectRows<ReportRow>(
    db,
    sql`select ${month} as month, m.business_unit as "businessUnit", m.business_process as "businessProcess", count(*)::int as incidents
        from incident_measures m where ${inWindow(w)} group by 1, 2, 3 order by 1, 4 desc, 2 nulls last, 3 nulls last`,
  );
  return { rows, byMonth, previousPeriod: [{ from: previous.from.toISOString(), to: previous.to.toISOString() }] };
}
