/**
 * The risk loop's reports: what accepted risks later cost (risk-outcomes), and which controls and
 * rules conflict most with the business (policy-conflicts: the most exceptions, false positives
 * and reopened exposures).
 */
import { sql } from 'drizzle-orm';
import type { Database } from './client.js';
import type { KpiWindow } from './kpis.reads.js';
import { inWindow, type ReportRow, type ReportSections } from './reports.trends.js';
import { selectRows } from './sql-rows.js';

/** Exceptions that covered at some point (imported ones, and approved ones), with the span they covered. */
const COVERED = sql`select r.id, r.owner, coalesce(r.status, 'imported') as status, r.asset_ids, r.rule_ids,
    coalesce((r.lifecycle ->> 'activatedAt')::timestamptz, '-infinity'::timestamptz) as since,
    least(r.expires_at, coalesce((r.lifecycle ->> 'endedAt')::timestamptz, 'infinity'::timestamptz)) as until
  from context_risk_exceptions r
  where r.status is null or (r.lifecycle ->> 'activatedAt') is not null`;


const money = (minutes: number, hourlyRate?: number): ReportRow => (hourlyRate === undefined ? {} : { cost: Math.round((minutes / 60) * hourlyRate * 100) / 100 });

export async function riskOutcomes(db: Database, w: KpiWindow, hourlyRate?: number): Promise<ReportSections> {
  const covers = sql`(m.rule_id = any(x.rule_ids) or exists (
      select 1 from incidents i cross join lateral jsonb_array_elements(i.context -> 'assets') a where i.id = m.incident_id and a ->> 'key' = any(x.asset_ids)))`;
  const [rows, byRule] = await Promise.all([
    selectRows<ReportRow>(
      db,
      sql`with x as (${COVERED})
          select x.id as "exceptionId", x.owner, x.status, count(distinct m.incident_id)::int as incidents,
            (count(distinct m.incident_id) filter (where m.severity = 'critical'))::int as critical,
            (count(distinct m.incident_id) filter (where m.severity = 'high'))::int as high,
            coalesce(sum(m.effort_minutes), 0)::int as minutes, coalesce(sum(m.breaches), 0)::int as "slaBreaches",
            string_agg(distinct m.root_cause, ', ') as "rootCauses"
          from x left join incident_measures m on m.created_at >= x.since and m.created_at < x.until and ${inWindow(w)} and ${covers}
          group by 1, 2, 3 order by 4 desc, 1`,
    ),
    selectRows<ReportRow>(
      db,
      sql`with x as (${COVERED}), r as (select x.*, unnest(x.rule_ids) as rule from x)
          select r.rule as "ruleId", count(distinct r.id)::int as exceptions, count(distinct m.incident_id)::int as incidents,
            coalesce(sum(m.breaches), 0)::int as "slaBreaches"
          from r left join incident_measures m on m.rule_id = r.rule and m.created_at >= r.since and m.created_at < r.until and ${inWindow(w)}
          group by 1 order by 3 desc, 1`,
    ),
  ]);
  return { rows: rows.map((row) => ({ ...row, hours: Math.round((Number(row.minutes) / 60) * 100) / 100, ...money(Number(row.minutes), hourlyRate) })), byRule };
}

export async function policyConflicts(db: Database, w: KpiWindow): Promise<ReportSections> {
  const rows = await selectRows<ReportRow>(
    db,
    sql`with hits as (
          select m.rule_id as rule, m.business_unit as bu, m.incident_id, m.closed_by, m.reopens, false as exposure
            from incident_measures m where ${inWindow(w)} and m.rule_id is not null
          union all
          select x.rule_id, m.business_unit, m.incident_id, m.closed_by, m.reopens, true
            from exposure_matches x join incident_measures m on m.incident_id = x.incident_id where ${inWindow(w)}
        ), exceptions as (
          select unnest(r.rule_ids) as rule, count(*)::int as exceptions from context_risk_exceptions r
          where r.status is null or (r.lifecycle ->> 'activatedAt') is not null group by 1
        ), counted as (
          select coalesce(h.rule, e.rule) as rule, h.bu, coalesce(max(e.exceptions), 0)::int as exceptions,
            count(distinct h.incident_id)::int as incidents,
            (count(distinct h.incident_id) filter (where h.closed_by = 'close_false_positive'))::int as "falsePositives",
            (count(distinct h.incident_id) filter (where h.exposure))::int as exposures,
            (count(distinct h.incident_id) filter (where h.exposure and h.reopens > 0))::int as "reopenedExposures"
          from hits h full join exceptions e on e.rule = h.rule group by 1, 2
        )
        select rule as "ruleId", bu as "businessUnit", exceptions, incidents, "falsePositives", exposures, "reopenedExposures",
          (exceptions + "falsePositives" + "reopenedExposures")::int as conflicts
        from counted order by conflicts desc, 1, 2 nulls last`,
  );
  return { rows };
}
