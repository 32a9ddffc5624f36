/**
 * Measures as rows: the conversions between a measure (machines/measures.ts) and its
 * incident_measures and incident_stage_times rows, and the backfill of measures from the audit
 * log for incidents recorded before measures existed.
 */
import { asc, eq, sql, type SQL } from 'drizzle-orm';
import type { IncidentProjection } from '../machines/incident.types.js';
import { measureFromLedger, type AlertFacts, type IncidentMeasure } from '../machines/measures.js';
import type { Database } from './client.js';
import { insertSql, oneStatement, setProperties } from './upsert.js';
import { incidentHistory, toIncidentProjection } from './incidents.reads.js';
import { playbookVersion } from './playbooks.repo.js';
import { alerts, incidentMeasures, incidentStageTimes, incidents } from './schema.js';

type MeasureRow = typeof incidentMeasures.$inferSelect;
/** The columns Postgres computes (the KPI durations): never part of a measure, never written. */
type ComputedColumn = 'mttdSeconds' | 'mttaSeconds' | 'mttcSeconds' | 'mtteSeconds' | 'mttrecSeconds' | 'mttrSeconds';
/** The columns the API counts (refused attempts, suppressed duplicates), kept when a measure is written. */
type ApiColumn = 'refusedAttempts' | 'duplicatesSuppressed';

export const iso = (d: Date | null) => (d ? d.toISOString() : null);
const date = (s: string | null) => (s ? new Date(s) : null);

export function measureOfRow(row: MeasureRow): IncidentMeasure {
  const { refusedAttempts: _r, duplicatesSuppressed: _d, mttdSeconds: _1, mttaSeconds: _2, mttcSeconds: _3, mtteSeconds: _4, mttrecSeconds: _5, mttrSeconds: _6, ...rest } = row;
  return {
    ...rest,
    createdAt: iso(row.createdAt) ?? '',
    playbookId: row.playbookId ?? '',
    severity: row.severity ?? '',
    priority: row.priority ?? '',
    detectedAt: iso(row.detectedAt),
    firstEventAt: iso(row.firstEventAt),
    acknowledgedAt: iso(row.acknowledgedAt),
    containedAt: iso(row.containedAt),
    eradicatedAt: iso(row.eradicatedAt),
    recoveredAt: iso(row.recoveredAt),
    resolvedAt: iso(row.resolvedAt),
    closedAt: iso(row.closedAt),
    stage: row.stage ?? '',
    stageSince: iso(row.stageSince) ?? iso(row.createdAt) ?? '',
  };
}

export function rowOfMeasure(m: IncidentMeasure): Omit<MeasureRow, ApiColumn | ComputedColumn> {
  return {
    ...m,
    createdAt: new Date(m.createdAt),
    detectedAt: date(m.detectedAt),
    firstEventAt: date(m.firstEventAt),
    acknowledgedAt: date(m.acknowledgedAt),
    containedAt: date(m.containedAt),
    eradicatedAt: date(m.eradicatedAt),
    recoveredAt: date(m.recoveredAt),
    resolvedAt: date(m.resolvedAt),
    closedAt: date(m.closedAt),
    stageSince: new Date(m.stageSince),
  };
}

/** The grouping dimensions the stage-time rows carry. */
export const DIMENSIONS = ['createdAt', 'playbookId', 'category', 'severity', 'priority', 'businessUnit', 'source'] as const;

/** The incident's time-in-stage rows (table incident_stage_times) for a measure. */
export function stageTimeRows(m: IncidentMeasure): (typeof incidentStageTimes.$inferInsert)[] {
  return Object.entries(m.stageSeconds).map(([stage, seconds]) => ({
    incidentId: m.incidentId,
    stage,
    seconds,
    createdAt: new Date(m.createdAt),
    playbookId: m.playbookId,
    category: m.category,
    severity: m.severity,
    priority: m.priority,
    businessUnit: m.businessUnit,
    source: m.source,
    month: m.createdAt.slice(0, 7),
  }));
}

/** The first-alert facts of a measure, from an alerts row. */
export function alertFactsOf(row: { source: string; ruleId: string | null; detectedAt: Date | null; firstEventAt: Date | null }): AlertFacts {
  return { source: row.source, ruleId: row.ruleId, detectedAt: iso(row.detectedAt), firstEventAt: iso(row.firstEventAt) };
}

/**
 * An incident's measure rebuilt from its audit log, its projection and its first alert (for an
 * incident recorded before measures existed). Works inside a transaction too.
 */
export async function rebuildMeasure(db: Database, projection: IncidentProjection): Promise<IncidentMeasure | null> {
  const playbook = await playbookVersion(db, projection.playbook.id, projection.playbook.version);
  const closedStages = new Set(Object.entries(playbook?.document.stages ?? {}).filter(([, stage]) => stage.closed).map(([name]) => name));
  const [first] = await db.select().from(alerts).where(eq(alerts.incidentId, projection.id)).orderBy(asc(alerts.receivedAt)).limit(1);
  return measureFromLedger(await incidentHistory(db, projection.id), projection, closedStages, first && alertFactsOf(first));
}

/**
 * The statements that write a measure and, unless told they are unchanged, its stage-time rows
 * (upserted, and the rows of stages it no longer has removed); the API's counters are kept. Rows
 * apart from each other, so they may run as parts of one statement (db/upsert.ts, oneStatement).
 */
export function measureWrites(measure: IncidentMeasure, options: { stageTimes: boolean } = { stageTimes: true }): SQL[] {
  const values = rowOfMeasure(measure);
  const { incidentId: _id, ...changes } = values;
  const writes = [insertSql(incidentMeasures, [values], { target: ['incidentId'], update: setProperties(changes, []) })];
  if (!options.stageTimes) return writes;
  const stages = stageTimeRows(measure);
  const gone = sql`delete from ${incidentStageTimes} where ${incidentStageTimes.incidentId} = ${measure.incidentId}`;
  if (stages.length === 0) return [...writes, gone];
  const kept = sql.join(stages.map((row) => sql`${row.stage}`), sql`, `);
  return [
    ...writes,
    sql`${gone} and ${incidentStageTimes.stage} not in (${kept})`,
    insertSql(incidentStageTimes, stages, { target: ['incidentId', 'stage'], update: setProperties(stages[0]!, ['incidentId', 'stage']) }),
  ];
}

/** Writes a measure and, unless told they are unchanged, its stage-time rows (the API's counters are kept): one statement. */
export async function writeMeasure(db: Database, measure: IncidentMeasure, options: { stageTimes: boolean } = { stageTimes: true }): Promise<void> {
  await db.execute(oneStatement(measureWrites(measure, options)));
}

/**
 * Measures for incidents that have none (recorded before measures existed), rebuilt from the
 * audit log; run after migrating, before workers start. Returns how many were written.
 */
export async function backfillMeasures(db: Database): Promise<number> {
  const missing = await db
    .select()
    .from(incidents)
    .where(sql`not exists (select 1 from ${incidentMeasures} m where m.incident_id = ${incidents.id} and m.created_at is not null)`);
  let written = 0;
  for (const row of missing) {
    const measure = await rebuildMeasure(db, toIncidentProjection(row));
    if (!measure) continue;
    await db.transaction((tx) => writeMeasure(tx, measure));
    written += 1;
  }
  return written;
}
