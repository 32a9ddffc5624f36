/**
 * Measures: one row per incident that the KPIs and reports aggregate in SQL. The persistence
 * activity writes it in each step's transaction (machines/measures.ts is the fold); the API adds
 * what never enters the workflow: refused transition attempts and suppressed duplicate alerts.
 */
import { sql } from 'drizzle-orm';
import { boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const count = (name: string) => integer(name).notNull().default(0);
/**
 * A duration in seconds between two milestones, stored with the row (null while one is missing):
 * the KPIs' percentiles sort these columns as they are, instead of computing six durations for
 * every row of the window on every read.
 */
const secondsBetween = (name: string, earlier: string, later: string) =>
  doublePrecision(name).generatedAlwaysAs(sql.raw(`date_part('epoch', ${later} - ${earlier})`));

export const incidentMeasures = pgTable(
  'incident_measures',
  {
    incidentId: text('incident_id').primaryKey(),
    /** Null only while the API has counted something before the incident's first step landed. */
    createdAt: at('created_at'),
    playbookId: text('playbook_id'),
    category: text('category'),
    severity: text('severity'),
    priority: text('priority'),
    businessUnit: text('business_unit'),
    businessProcess: text('business_process'),
    source: text('source'),
    ruleId: text('rule_id'),
    detectedAt: at('detected_at'),
    firstEventAt: at('first_event_at'),
    acknowledgedAt: at('acknowledged_at'),
    containedAt: at('contained_at'),
    eradicatedAt: at('eradicated_at'),
    recoveredAt: at('recovered_at'),
    resolvedAt: at('resolved_at'),
    closedAt: at('closed_at'),
    open: boolean('open').notNull().default(true),
    closedBy: text('closed_by'),
    rootCause: text('root_cause'),
    threatSource: text('threat_source'),
    vector: text('vector'),
    changeRelated: boolean('change_related').notNull().default(false),
    alerts: count('alerts'),
    effortMinutes: count('effort_minutes'),
    acceptedAttempts: count('accepted_attempts'),
    clocksArmed: count('clocks_armed'),
    clocksStopped: count('clocks_stopped'),
    breaches: count('breaches'),
    escalations: count('escalations'),
    reopens: count('reopens'),
    priorityChanges: count('priority_changes'),
    lookupsGathered: count('lookups_gathered'),
    lookupsFailed: count('lookups_failed'),
    findings: count('findings'),
    stage: text('stage'),
    stageSince: at('stage_since'),
    stageSeconds: jsonb('stage_seconds').$type<Record<string, number>>().notNull().default({}),
    openApprovals: jsonb('open_approvals').$type<Record<string, string>>().notNull().default({}),
    approvalSeconds: doublePrecision('approval_seconds').array().notNull().default(sql`'{}'`),
    /** Written by the API: attempts the gates refused (409/422), which never reach the workflow. */
    refusedAttempts: count('refused_attempts'),
    /** Written by the API: re-posts of an alert already delivered. */
    duplicatesSuppressed: count('duplicates_suppressed'),
    // The durations the KPIs measure (machines/kpi.definitions.ts), kept by Postgres.
    mttdSeconds: secondsBetween('mttd_seconds', 'first_event_at', 'detected_at'),
    mttaSeconds: secondsBetween('mtta_seconds', 'created_at', 'acknowledged_at'),
    mttcSeconds: secondsBetween('mttc_seconds', 'created_at', 'contained_at'),
    mtteSeconds: secondsBetween('mtte_seconds', 'contained_at', 'eradicated_at'),
    mttrecSeconds: secondsBetween('mttrec_seconds', 'eradicated_at', 'recovered_at'),
    mttrSeconds: secondsBetween('mttr_seconds', 'created_at', 'resolved_at'),
  },
  (t) => [index('incident_measures_created_at_idx').on(t.createdAt)],
);

/**
 * Time in stage, one row per incident and stage (summed over finished visits), with the
 * incident's grouping dimensions copied in: the `stage:<name>` KPIs aggregate this narrow,
 * indexed table without unpacking every incident's measures. Rewritten with the measures row whenever
 * its stage times or dimensions change.
 */
export const incidentStageTimes = pgTable(
  'incident_stage_times',
  {
    incidentId: text('incident_id').notNull(),
    stage: text('stage').notNull(),
    seconds: doublePrecision('seconds').notNull(),
    createdAt: at('created_at').notNull(),
    playbookId: text('playbook_id'),
    category: text('category'),
    severity: text('severity'),
    priority: text('priority'),
    businessUnit: text('business_unit'),
    source: text('source'),
    /** The month the incident was created, in UTC (YYYY-MM): the `month` grouping. */
    month: text('month').notNull(),
  },
  (t) => [
    primaryKey({ name: 'incident_stage_times_pkey', columns: [t.incidentId, t.stage] }),
    index('incident_stage_times_created_at_idx').on(t.createdAt),
    // One per grouping: an index-only scan hands the rows over in group, stage and duration
    // order, so the percentiles need no sort of their own (created_at last, for the window).
    ...(['businessUnit', 'category', 'severity', 'priority', 'playbookId', 'source', 'month'] as const).map((dimension) =>
      index(`incident_stage_times_${t[dimension].name}_idx`).on(t[dimension], t.stage, t.seconds, t.createdAt),
    ),
  ],
);
