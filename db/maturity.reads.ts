/**
 * The facts behind the maturity criteria (machines/maturity.criteria.ts), in one SQL pass over
 * the incidents created in the window, their measures and the playbook versions they pinned.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { MaturityFacts } from '../machines/maturity.criteria.js';
import type { Database } from './client.js';
import { createdIn, EXPOSURE, RATE_SQL, ratio, type KpiWindow } from './kpis.reads.js';
import { inWindow } from './reports.trends.js';
import { selectRows } from './sql-rows.js';

const share = (numerator: SQL, denominator: SQL = sql`count(*)`) => ratio(numerator, denominator);
const playbookHas = (path: string) => sql`jsonb_path_exists(doc, ${path}::jsonpath)`;
const enriches = (kind: string) => playbookHas(`$.stages.*.enrich[*] ? (@ == "${kind}")`);
const marks = (milestone: string) => playbookHas(`$.stages.*.marks[*] ? (@ == "${milestone}")`);
const closedExposure = sql`${EXPOSURE} and not open and closed_by is distinct from 'close_false_positive'`;

export async function maturityFacts(db: Database, w: KpiWindow): Promise<MaturityFacts> {
  const [row] = await selectRows<Record<keyof MaturityFacts, number | null>>(
    db,
    sql`with m as (
          select m.*, i.context, pv.document::jsonb as doc
          from incident_measures m
          join incidents i on i.id = m.incident_id
          left join playbook_versions pv on pv.playbook_id = i.playbook_id and pv.version = i.playbook_version
          where ${inWindow(w)}
        )
        select
          count(*)::int as "incidents",
          ${share(sql`count(*) filter (where accepted_attempts > 0 or not open)`)} as "lifecycleFollowed",
          ${share(sql`count(*) filter (where ${playbookHas('$.stages.*.on.*.requires')} or ${playbookHas('$.on.*.requires')})`)} as "gatedPlaybooks",
          ${share(sql`count(*) filter (where lookups_gathered > 0 and ${enriches('asset')} and ${enriches('change')})`)} as "contextGathered",
          ${share(sql`count(*) filter (where ${marks('acknowledged')} and ${marks('contained')} and ${marks('resolved')})`)} as "kpisDefined",
          (count(*) filter (where priority_changes > 0))::int as "priorityAdjusted",
          ${RATE_SQL.enrichmentAutomationRate} as "enrichmentAutomation",
          ${share(sql`count(*) filter (where business_unit is not null and clocks_armed > 0)`)} as "slaPerBusinessUnit",
          ${share(sql`count(*) filter (where root_cause is not null and ${enriches('risk-exception')})`, sql`count(*) filter (where root_cause is not null)`)} as "rootCausesMapped",
          (count(*) filter (where exists (select 1 from exposure_matches x where x.incident_id = m.incident_id)))::int as "exposuresFromChanges",
          ${share(sql`count(*) filter (where ${closedExposure} and eradicated_at is not null)`, sql`count(*) filter (where ${closedExposure})`)} as "remediationValidated",
          (select count(*) from context_risk_exceptions r where ${createdIn(w, sql`(r.lifecycle ->> 'activatedAt')::timestamptz`)})::int as "riskDecisionsMeasured"
        from m`
  );
  return row as MaturityFacts;
}
