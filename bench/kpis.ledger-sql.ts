/**
 * The fair baseline of the KPI benchmark: KPIs per business unit as a competent engineer would
 * write them without a measures table - SQL over the ledger (incident_events) and the projection
 * (incidents), with window functions for time in stage and approval latency, counts of event
 * types for the rates, milestones from the projection, percentile_cont for medians and p90s.
 * Same answer as the API and the naive fold, figure by figure (the benchmark checks).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import type { DurationFigure, KpiWindow } from '../db/kpis.reads.js';
import { selectRows } from '../db/sql-rows.js';
import type { NaiveGroup } from './kpis.naive.js';

/** The stages of the shipped playbooks that count as closed (the naive fold is given the same). */
const CLOSED = sql`('closed')`;

const seconds = (later: string, earlier: string) => sql.raw(`date_part('epoch', ${later} - ${earlier})`);

/** Whose business unit an incident counts for: its first asset's, else its first business unit. */
const BUSINESS_UNIT = sql`coalesce(i.context->'assets'->0->'record'->>'businessUnit', i.context->'businessUnits'->0->'record'->>'id')`;

/** The incidents created in the window, for `alias` (or as a subquery of their ids). */
const createdIn = (window: KpiWindow, alias = '') =>
  sql.raw(`${alias}created_at >= '${window.from.toISOString()}'::timestamptz and ${alias}created_at < '${window.to.toISOString()}'::timestamptz`);
const idsIn = (window: KpiWindow) => sql`select id from incidents where ${createdIn(window)}`;

/** The incidents of the window with a ledger: their group, milestones, and counters from one grouped pass over their events. */
function perIncident(window: KpiWindow): SQL {
  const milestone = (name: string) => sql.raw(`(i.milestones->>'${name}')::timestamptz`);
  const inWindow = idsIn(window);
  return sql`
    with counted as (
      select e.incident_id,
        count(*) filter (where e.type = 'sla_armed') as armed, count(*) filter (where e.type = 'sla_stopped') as stopped,
        count(*) filter (where e.type = 'sla_breached') as breaches, count(*) filter (where e.type = 'sla_escalated') as escalations,
        count(*) filter (where e.type = 'context_gathered') as gathered, count(*) filter (where e.type = 'enrichment_failed') as failed,
        (array_agg(e.data->>'event' order by e.seq desc) filter (where e.type = 'transitioned' and e.to_stage in ${CLOSED}))[1] as closed_by,
        (array_agg(coalesce(a.detected_at, e.at) order by e.seq) filter (where e.type = 'alert_received'))[1] as detected_at,
        (array_agg(a.first_event_at order by e.seq) filter (where e.type = 'alert_received'))[1] as first_event_at
      from incident_events e left join alerts a on e.type = 'alert_received' and a.id = e.data->>'alertId'
      where e.incident_id in (${inWindow}) group by e.incident_id
    ), reopened as (
      select incident_id, count(*) filter (where before in ${CLOSED} and to_stage not in ${CLOSED}) as reopens
      from (select incident_id, to_stage, lag(to_stage) over (partition by incident_id order by seq) as before from incident_events
            where incident_id in (${inWindow}) and type in ('incident_opened', 'transitioned')) t
      group by incident_id
    )
    select ${BUSINESS_UNIT} as key,
      i.created_at, i.alert_count, i.effort_minutes, i.open,
      ${milestone('acknowledged')} as acknowledged_at, ${milestone('contained')} as contained_at, ${milestone('eradicated')} as eradicated_at,
      ${milestone('recovered')} as recovered_at, ${milestone('resolved')} as resolved_at, ${milestone('closed')} as closed_at,
      c.armed, c.stopped, c.breaches, c.escalations, c.gathered, c.failed, coalesce(r.reopens, 0) as reopens, c.closed_by, c.detected_at, c.first_event_at
    from incidents i join counted c on c.incident_id = i.id left join reopened r on r.incident_id = i.id
    where ${createdIn(window, 'i.')}`;
}

/** Mean, [median, p90] and n of `value`, as `<prefix>mean`, `<prefix>pct`, `<prefix>n`. */
const figureColumns = (value: SQL, prefix = '') =>
  sql`avg(${value}) as ${sql.identifier(`${prefix}mean`)}, percentile_cont(array[0.5, 0.9]) within group (order by ${value}) as ${sql.identifier(`${prefix}pct`)}, count(${value})::int as ${sql.identifier(`${prefix}n`)}`;
type FigureRow = { key: string | null; mean: number | null; pct: Array<number | null> | null; n: number };
const figure = (row: FigureRow | undefined): DurationFigure =>
  row ? { mean: row.mean, median: row.pct?.[0] ?? null, p90: row.pct?.[1] ?? null, n: Number(row.n) } : { mean: null, median: null, p90: null, n: 0 };

const DURATIONS = {
  mttd: seconds('detected_at', 'first_event_at'),
  mtta: seconds('acknowledged_at', 'created_at'),
  mttc: seconds('contained_at', 'created_at'),
  mtte: seconds('eradicated_at', 'contained_at'),
  mttrec: seconds('recovered_at', 'eradicated_at'),
  mttr: seconds('resolved_at', 'created_at'),
};

export async function ledgerSqlKpisByBusinessUnit(db: Database, window: KpiWindow): Promise<NaiveGroup[]> {
  const durationColumns = Object.entries(DURATIONS).map(([name, value]) => figureColumns(value, `${name}_`));
  const settled = sql`armed > 0 and (breaches > 0 or stopped >= armed)`;
  const inWindow = idsIn(window);
  const [groups, stages, approvals] = await Promise.all([
    selectRows<Record<string, unknown> & { key: string | null }>(
      db,
      sql`select key, count(*)::int as count, ${sql.join(durationColumns, sql`, `)},
        (count(*) filter (where ${settled} and breaches = 0))::float8 / nullif(count(*) filter (where ${settled}), 0) as sla_compliance,
        sum(breaches)::float8 as sla_breaches, sum(escalations)::float8 as escalations,
        (count(*) filter (where reopens > 0))::float8 / nullif(count(*) filter (where closed_at is not null), 0) as reopen_rate,
        (count(*) filter (where not open and closed_by = 'close_false_positive'))::float8 / nullif(count(*) filter (where not open), 0) as false_positive_rate,
        sum(alert_count)::float8 / nullif(count(*), 0) as alerts_per_incident,
        sum(gathered)::float8 / nullif(sum(gathered + failed), 0) as enrichment_automation_rate,
        sum(effort_minutes)::int as effort_minutes
      from (${perIncident(window)}) m group by key`,
    ),
    // Time in stage: each transition ends a visit that began at the event before it among the opening and the transitions.
    selectRows<FigureRow & { stage: string }>(
      db,
      sql`select key, stage, ${figureColumns(sql`seconds`)} from (
        select v.incident_id, max(v.key) as key, v.stage, sum(${seconds('v.at', 'v.since')}) as seconds
        from (select e.incident_id, ${BUSINESS_UNIT} as key, e.type, e.at, coalesce(e.from_stage, lag(e.to_stage) over w) as stage, lag(e.at) over w as since
              from incident_events e join incidents i on i.id = e.incident_id
              where e.incident_id in (${inWindow}) and (e.type in ('incident_opened', 'transitioned') or e.seq = 1)
              window w as (partition by e.incident_id order by e.seq)) v
        where v.type = 'transitioned' group by v.incident_id, v.stage) s group by key, stage`,
    ),
    // Approval latency: a decision counts when the approval event just before it (for the same lifecycle event) is its request.
    selectRows<FigureRow>(
      db,
      sql`select key, ${figureColumns(sql`seconds`)} from (
        select ${BUSINESS_UNIT} as key, ${seconds('d.at', 'd.requested_at')} as seconds
        from (select e.incident_id, e.at, e.decides, lag(e.type) over w = 'approval_requested' as after_request, lag(e.at) over w as requested_at
              from (select e.*, e.type = 'approval_rejected' or (e.type = 'approval_granted' and (e.data->>'granted')::numeric >= (e.data->>'required')::numeric) as decides
                    from incident_events e where e.incident_id in (${inWindow}) and e.type in ('approval_requested', 'approval_granted', 'approval_rejected', 'approval_withdrawn')) e
              where e.type <> 'approval_granted' or e.decides
              window w as (partition by e.incident_id, e.data->>'event' order by e.seq)) d
        join incidents i on i.id = d.incident_id
        where d.decides and d.after_request) a group by key`,
    ),
  ]);
  return groups.map((row) => {
    const n = (name: string) => (row[name] === null ? null : Number(row[name]));
    const durations: Record<string, DurationFigure> = Object.fromEntries(
      Object.keys(DURATIONS).map((name) => [name, figure({ key: row.key, mean: row[`${name}_mean`] as number | null, pct: row[`${name}_pct`] as FigureRow['pct'], n: Number(row[`${name}_n`]) })]),
    );
    for (const stage of stages.filter((s) => s.key === row.key)) durations[`stage:${stage.stage}`] = figure(stage);
    durations.approval = figure(approvals.find((a) => a.key === row.key));
    return {
      key: row.key,
      count: Number(row.count),
      durations,
      rates: {
        slaCompliance: n('sla_compliance'),
        slaBreaches: n('sla_breaches'),
        escalations: n('escalations'),
        reopenRate: n('reopen_rate'),
        falsePositiveRate: n('false_positive_rate'),
        alertsPerIncident: n('alerts_per_incident'),
        enrichmentAutomationRate: n('enrichment_automation_rate'),
      },
      effortMinutes: Number(row.effort_minutes ?? 0),
    };
  });
}
