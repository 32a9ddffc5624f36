/**
 * Reports on how operations and controls fare: change correlation, control effectiveness,
 * high-risk operations, cost. SQL over the measures table, the incidents' gathered context and
 * the change records.
 */
import { sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { EXPOSURE, monthOf, type KpiWindow } from './kpis.reads.js';
import { inWindow, type ReportRow, type ReportSections } from './reports.trends.js';
import { selectRows } from './sql-rows.js';


export async function changeCorrelation(db: Database, w: KpiWindow): Promise<ReportSections> {
  const [rows, byAsset, byType, exposureTrend] = await Promise.all([
    selectRows<ReportRow>(
      db,
      sql`select c->>'key' as "changeId", c->'record'->>'title' as title, coalesce(c->'record'->>'type', 'unspecified') as type,
            count(distinct m.incident_id)::int as incidents, string_agg(distinct m.incident_id, ' ') as "incidentIds"
          from incident_measures m join incidents i on i.id = m.incident_id cross join lateral jsonb_array_elements(i.context -> 'changes') c
          where ${inWindow(w)} and m.change_related group by 1, 2, 3 order by 4 desc, 1`,
    ),
    selectRows<ReportRow>(
      db,
      sql`select a->>'key' as "assetId", count(distinct m.incident_id)::int as incidents
          from incident_measures m join incidents i on i.id = m.incident_id cross join lateral jsonb_array_elements(i.context -> 'assets') a
          where ${inWindow(w)} and m.change_related group by 1 order by 2 desc, 1`,
    ),
    selectRows<ReportRow>(
      db,
      sql`select coalesce(c->'record'->>'type', 'unspecified') as type, count(distinct m.incident_id)::int as incidents,
            (count(distinct m.incident_id) filter (where ${EXPOSURE}))::int as exposures
          from incident_measures m join incidents i on i.id = m.incident_id cross join lateral jsonb_array_elements(i.context -> 'changes') c
          where ${inWindow(w)} and m.change_related group by 1 order by 2 desc, 1`,
    ),
    // Type trending of configuration changes that result in exposures: what exposure rules opened, by change kind and month.
    selectRows<ReportRow>(
      db,
      sql`select ${monthOf(sql`m.created_at`)} as month, coalesce(x.change_kind, 'unspecified') as "changeKind", count(distinct x.incident_id)::int as exposures,
            count(distinct x.change_id)::int as changes, count(distinct x.rule_id)::int as rules
          from exposure_matches x join incident_measures m on m.incident_id = x.incident_id
          where ${inWindow(w)} group by 1, 2 order by 1, 3 desc, 2`,
    ),
  ]);
  return { rows, byAsset, byType, exposureTrend };
}

export async function controlEffectiveness(db: Database, w: KpiWindow): Promise<ReportSections> {
  const [rows, gap] = await Promise.all([
    selectRows<ReportRow>(
      db,
      sql`select m.source, m.rule_id as "ruleId", count(*)::int as incidents,
            percentile_cont(0.5) within group (order by extract(epoch from m.detected_at - m.first_event_at)::float8) as "medianTimeToDetect",
            (count(*) filter (where not m.open and m.closed_by = 'close_false_positive'))::float8 / count(*) as "falsePositiveShare"
          from incident_measures m where ${inWindow(w)} and m.source is not null and m.source <> 'reported'
          group by 1, 2 order by 3 desc, 1, 2 nulls last`,
    ),
    selectRows<ReportRow>(
      db,
      sql`select m.category, count(*)::int as incidents from incident_measures m
          where ${inWindow(w)} and m.source = 'reported' and m.alerts = 0 group by 1 order by 2 desc, 1 nulls last`,
    ),
  ]);
  return { rows, gap };
}

export async function highRiskOperations(db: Database, w: KpiWindow): Promise<ReportSections> {
  const rows = await selectRows<ReportRow>(
    db,
    sql`with touched as (
          select distinct m.incident_id, a->>'key' as asset_id
          from incident_measures m join incidents i on i.id = m.incident_id cross join lateral jsonb_array_elements(i.context -> 'assets') a
          where ${inWindow(w)}
        ), changed as (
          select c.id, unnest(c.asset_ids) as asset_id from context_changes c
          where c.planned_start >= ${w.from.toISOString()} and c.planned_start < ${w.to.toISOString()}
        ), by_asset as (
          select 'asset' as kind, t.asset_id as key, count(distinct t.incident_id) as incidents,
            (select count(distinct c.id) from changed c where c.asset_id = t.asset_id) as changes
          from touched t group by t.asset_id
        ), by_process as (
          select 'businessProcess' as kind, ca.business_process as key, count(distinct t.incident_id) as incidents,
            (select count(distinct c.id) from changed c join context_assets pa on pa.id = c.asset_id where pa.business_process = ca.business_process) as changes
          from touched t join context_assets ca on ca.id = t.asset_id where ca.business_process is not null group by ca.business_process
        )
        select kind, key, incidents::int, changes::int, incidents::float8 / changes as "incidentsPerChange"
        from (select * from by_asset union all select * from by_process) ranked
        where changes > 0 order by 5 desc, 3 desc, 1, 2`,
  );
  return { rows };
}

export async function costOfResponse(db: Database, w: KpiWindow, hourlyRate?: number): Promise<ReportSections> {
  const rows = await selectRows<ReportRow>(
    db,
    sql`select m.business_unit as "businessUnit", count(*)::int as incidents, sum(m.effort_minutes)::int as minutes
        from incident_measures m where ${inWindow(w)} group by 1 order by 3 desc, 1 nulls last`,
  );
  return {
    rows: rows.map((row) => {
      const minutes = Number(row.minutes);
      const hours = Math.round((minutes / 60) * 100) / 100;
      if (hourlyRate === undefined) return { ...row, hours };
      const cost = Math.round((minutes / 60) * hourlyRate * 100) / 100;
      return { ...row, hours, cost, costPerIncident: Math.round((cost / Number(row.incidents)) * 100) / 100 };
    }),
  };
}
