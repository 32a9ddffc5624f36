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

/** Rows whose `created_at` (or the column given, e.g. `m.created_at`) falls in the window. */
export const createdIn = (w: KpiWindow, column: SQL = sql`created_at`) => sql`${column} >= ${w.from.toISOString()} and ${column} < ${w.to.toISOString()}`;

/** The month of `created_at` (or the column given) in UTC, as YYYY-MM. */
export const monthOf = (column: SQL = sql`created_at`) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM')`;

/** Measures (alias m) of exposure incidents: the categories the exposure-response playbook takes. */
export const EXPOSURE = sql`m.category in ('exposure', 'misconfiguration')`;

export const GROUP_KEY: Record<GroupBy, SQL> = {
  businessUnit: sql`business_unit`,
  category: sql`category`,
  severity: sql`severity`,
  priority: sql`priority`,
  playbook: sql`playbook_id`,
  source: sql`source`,
  month: monthOf(),
};

/** The same groupings on the stage-time table, by the columns its indexes lead with. */
const STAGE_GROUP_KEY: Record<GroupBy, SQL> = { ...GROUP_KEY, month: sql`month` };

/** Each duration in seconds: the measures row stores them (db/measures.schema.ts); null when a milestone is missing. */
const DURATION_SQL: Record<DurationKey, SQL> = {
  mttd: sql`mttd_seconds`,
  mtta: sql`mtta_seconds`,
  mttc: sql`mttc_seconds`,
  mtte: sql`mtte_seconds`,
  mttrec: sql`mttrec_seconds`,
  mttr: sql`mttr_seconds`,
};

export const ratio = (numerator: SQL, denominator: SQL) => sql`(${numerator})::float8 / nullif(${denominator}, 0)`;
const settled = sql`clocks_armed > 0 and (breaches > 0 or clocks_stopped >= clocks_armed)`;

export const RATE_SQL: Record<RateKey, SQL> = {
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

/** Mean, [median, p90] (one sort for both) and n of a float8 column. */
function figureColumns(name: string, value: SQL): SQL {
  return sql`avg(${value}) as ${sql.identifier(`${name}_mean`)},
    percentile_cont(array[0.5, 0.9]) within group (order by ${value}) as ${sql.identifier(`${name}_pct`)},
    count(${value})::int as ${sql.identifier(`${name}_n`)}`;
}


/**
 * Runs a KPI query with JIT compilation off: its row estimates (lateral functions, many
 * aggregates) make the planner compile for longer than the query runs.
 */
function withoutJit<T>(db: Database, query: SQL): Promise<T[]> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local jit = off`);
    return selectRows<T>(tx, query);
  });
}

type Row = Record<string, unknown> & { key: string | null };

function figure(row: Row, name: string): DurationFigure {
  const [median = null, p90 = null] = (row[`${name}_pct`] as (number | null)[] | null) ?? [];
  return { mean: row[`${name}_mean`] as number | null, median, p90, n: Number(row[`${name}_n`]) };
}

export async function kpisByGroup(db: Database, groupBy: GroupBy, window: KpiWindow, hourlyRate?: number): Promise<KpiGroup[]> {
  const key = GROUP_KEY[groupBy];
  const scope = createdIn(window);
  const durations = sql.join(DURATION_KEYS.map((k) => figureColumns(k, DURATION_SQL[k])), sql`, `);
  const rates = sql.join(RATE_KEYS.map((k) => sql`${RATE_SQL[k]} as ${sql.identifier(k)}`), sql`, `);
  // Three queries side by side: the figures per group (over the durations the rows store), time
  // in stage from its narrow table (an index-only scan in group, stage and duration order), and
  // approval latency.
  const [groups, stages, approvals] = await Promise.all([
    withoutJit<Row>(
      db,
      sql`select ${key} as key, count(*)::int as count, ${durations}, ${rates}, sum(effort_minutes)::int as effort_minutes
          from incident_measures where ${scope} group by 1 order by 1 nulls last`,
    ),
    withoutJit<Row & { stage: string }>(
      db,
      sql`select ${STAGE_GROUP_KEY[groupBy]} as key, stage, ${figureColumns('d', sql`seconds`)} from incident_stage_times where ${scope} group by 1, 2`,
    ),
    withoutJit<Row>(
      db,
      sql`select m.key, ${figureColumns('d', sql`a.seconds`)}
          from (select ${key} as key, approval_seconds from incident_measures where ${scope} and cardinality(approval_seconds) > 0) m
          cross join lateral unnest(m.approval_seconds) a(seconds) group by m.key`,
    ),
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
