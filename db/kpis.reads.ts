/**
 * KPIs in SQL over the measures table (one indexed row per incident): the durations' mean,
 * median and p90 with percentile_cont, the rates as filtered counts. Three queries run side by
 * side: the figures per group, time in stage, approval latency.
 */
import { sql, type SQL } from 'drizzle-orm';
import { DURATION_KEYS, RATE_KEYS, type DurationKey, type GroupBy, type RateKey } from '../machines/kpi.definitions.js';
import type { Database } from './client.js';
import { selectRows } from './sql-rows.js';

export interface DurationFigure {
  mean: number | null;
  median: number | null;
  p90: number | null;
  /** Incidents (for approvals: decisions) the figure was measured on. */
  n: number;
}

export interface KpiGroup {
  key: string | null;
  count: number;
  durations: Record<string, DurationFigure>;
  rates: Record<RateKey, number | null>;
  effort: { minutes: number; cost?: number };
}

export interface KpiWindow {
  from: Date;
  to: Date;
}

export const GROUP_KEY: Record<GroupBy, SQL> = {
  businessUnit: sql`business_unit`,
  category: sql`category`,
  severity: sql`severity`,
  priority: sql`priority`,
  playbook: sql`playbook_id`,
  source: sql`source`,
  month: sql`to_char(created_at at time zone 'UTC', 'YYYY-MM')`,
};

/** Each duration as an SQL expression in seconds; null when a milestone is missing. */
const DURATION_SQL: Record<DurationKey, SQL> = {
  mttd: sql`extract(epoch from detected_at - first_event_at)::float8`,
  mtta: sql`extract(epoch from acknowledged_at - created_at)::float8`,
  mttc: sql`extract(epoch from contained_at - created_at)::float8`,
  mtte: sql`extract(epoch from eradicated_at - contained_at)::float8`,
  mttrec: sql`extract(epoch from recovered_at - eradicated_at)::float8`,
  mttr: sql`extract(epoch from resolved_at - created_at)::float8`,
};

const ratio = (numerator: SQL, denominator: SQL) => sql`(${numerator})::float8 / nullif(${denominator}, 0)`;
const settled = sql`clocks_armed > 0 and (breaches > 0 or clocks_stopped >= clocks_armed)`;

const RATE_SQL: Record<RateKey, SQL> = {
  slaCompliance: ratio(sql`count(*) filter (where ${settled} and breaches = 0)`, sql`count(*) filter (where ${settled})`),
  slaBreaches: sql`sum(breaches)::float8`,
  escalations: sql`sum(escalations)::float8`,
  reopenRate: ratio(sql`count(*) filter (where reopens > 0)`, sql`count(*) filter (where closed_at is not null)`),
  falsePositiveRate: ratio(sql`count(*) filter (where not open and closed_by = 'close_false_positive')`, sql`count(*) filter (where not open)`),
  alertsPerIncident: ratio(sql`sum(alerts)`, sql`count(*)`),
  duplicatesSuppressed: sql`sum(duplicates_suppressed)::float8`,
  enrichmentAutomationRate: ratio(sql`sum(lookups_gathered)`, sql`sum(lookups_gathered + lookups_failed)`),
  gateRejectionRate: ratio(sql`sum(refused_attempts)`, sql`sum(refused_attempts + accepted_attempts)`),
};

function figureColumns(name: string, value: SQL): SQL {
  return sql`avg(${value}) as ${sql.identifier(`${name}_mean`)},
    percentile_cont(0.5) within group (order by ${value}) as ${sql.identifier(`${name}_median`)},
    percentile_cont(0.9) within group (order by ${value}) as ${sql.identifier(`${name}_p90`)},
    count(${value})::int as ${sql.identifier(`${name}_n`)}`;
}

function windowed(groupBy: GroupBy, window: KpiWindow): SQL {
  return sql`select ${GROUP_KEY[groupBy]} as key, * from incident_measures where created_at >= ${window.from.toISOString()} and created_at < ${window.to.toISOString()}`;
}

type Row = Record<string, unknown> & { key: string | null };

const figure = (row: Row, name: string): DurationFigure => ({
  mean: row[`${name}_mean`] as number | null,
  median: row[`${name}_median`] as number | null,
  p90: row[`${name}_p90`] as number | null,
  n: Number(row[`${name}_n`]),
});

export async function kpisByGroup(db: Database, groupBy: GroupBy, window: KpiWindow, hourlyRate?: number): Promise<KpiGroup[]> {
  const scope = windowed(groupBy, window);
  const durations = sql.join(DURATION_KEYS.map((k) => figureColumns(k, DURATION_SQL[k])), sql`, `);
  const rates = sql.join(RATE_KEYS.map((k) => sql`${RATE_SQL[k]} as ${sql.identifier(k)}`), sql`, `);
  const [groups, stages, approvals] = await Promise.all([
    selectRows<Row>(db, sql`with m as (${scope}) select key, count(*)::int as count, ${durations}, ${rates}, sum(effort_minutes)::int as effort_minutes from m group by key order by key nulls last`),
    selectRows<Row & { stage: string }>(
      db,
      sql`with m as (${scope}) select m.key, s.key as stage, ${figureColumns('d', sql`s.value::float8`)} from m cross join lateral jsonb_each_text(m.stage_seconds) s group by m.key, s.key`,
    ),
    selectRows<Row>(db, sql`with m as (${scope}) select m.key, ${figureColumns('d', sql`a.seconds`)} from m cross join lateral unnest(m.approval_seconds) a(seconds) group by m.key`),
  ]);
  const none: DurationFigure = { mean: null, median: null, p90: null, n: 0 };
  return groups.map((row) => {
    const group: KpiGroup = {
      key: row.key,
      count: Number(row.count),
      durations: Object.fromEntries(DURATION_KEYS.map((k) => [k, figure(row, k)])),
      rates: Object.fromEntries(RATE_KEYS.map((k) => [k, row[k] === null ? null : Number(row[k])])) as Record<RateKey, number | null>,
      effort: { minutes: Number(row.effort_minutes ?? 0) },
    };
    for (const stage of stages.filter((s) => s.key === row.key).sort((a, b) => a.stage.localeCompare(b.stage))) group.durations[`stage:${stage.stage}`] = figure(stage, 'd');
    const approval = approvals.find((a) => a.key === row.key);
    group.durations.approval = approval ? figure(approval, 'd') : none;
    if (hourlyRate !== undefined) group.effort.cost = Math.round((group.effort.minutes / 60) * hourlyRate * 100) / 100;
    return group;
  });
}
