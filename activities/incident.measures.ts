/**
 * Keeps an incident's measures row in step with its audit log, inside the step's transaction:
 * reads the row, folds the step in (machines/measures.ts), writes it back. The API's counters
 * (refused attempts, suppressed duplicates) are columns this never writes, so neither overwrites
 * the other.
 */
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { alerts, incidentMeasures, incidentStageTimes } from '../db/schema.js';
import type { IncidentStep } from '../machines/incident.types.js';
import { emptyMeasure, foldEvent, withProjection, type AlertFacts, type IncidentMeasure } from '../machines/measures.js';

export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];
type MeasureRow = typeof incidentMeasures.$inferSelect;

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const date = (s: string | null) => (s ? new Date(s) : null);

export function measureOfRow(row: MeasureRow): IncidentMeasure {
  const { refusedAttempts: _r, duplicatesSuppressed: _d, ...rest } = row;
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

export function rowOfMeasure(m: IncidentMeasure): Omit<MeasureRow, 'refusedAttempts' | 'duplicatesSuppressed'> {
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
const DIMENSIONS = ['createdAt', 'playbookId', 'category', 'severity', 'priority', 'businessUnit', 'source'] as const;

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
  }));
}

function stageTimesChanged(before: IncidentMeasure | undefined, after: IncidentMeasure): boolean {
  if (!before) return Object.keys(after.stageSeconds).length > 0;
  const seconds = (m: IncidentMeasure) => JSON.stringify(Object.entries(m.stageSeconds).sort());
  return DIMENSIONS.some((d) => before[d] !== after[d]) || seconds(before) !== seconds(after);
}

async function alertFacts(tx: Transaction, alertId: unknown): Promise<AlertFacts | undefined> {
  if (typeof alertId !== 'string') return undefined;
  const [row] = await tx
    .select({ source: alerts.source, ruleId: alerts.ruleId, detectedAt: alerts.detectedAt, firstEventAt: alerts.firstEventAt })
    .from(alerts)
    .where(eq(alerts.id, alertId));
  return row ? { source: row.source, ruleId: row.ruleId, detectedAt: iso(row.detectedAt), firstEventAt: iso(row.firstEventAt) } : undefined;
}

/** Folds a newly recorded step into the incident's measures (call once per recorded step). */
export async function recordMeasure(tx: Transaction, step: IncidentStep): Promise<void> {
  const [row] = await tx.select().from(incidentMeasures).where(eq(incidentMeasures.incidentId, step.incidentId)).for('update');
  const event = { seq: step.seq, at: step.at, type: step.type, actor: step.actor, from: step.from, to: step.to, data: step.data };
  const recorded = row?.createdAt ? measureOfRow(row) : undefined;
  const before = recorded ?? emptyMeasure(step.incidentId, event);
  const alert = step.type === 'alert_received' && before.source === null ? await alertFacts(tx, step.data.alertId) : undefined;
  const after = withProjection(foldEvent(before, event, step.projection.open, alert), step.projection);
  const values = rowOfMeasure(after);
  const { incidentId: _id, ...changes } = values;
  await tx.insert(incidentMeasures).values(values).onConflictDoUpdate({ target: incidentMeasures.incidentId, set: changes });
  if (stageTimesChanged(recorded, after)) {
    await tx.delete(incidentStageTimes).where(eq(incidentStageTimes.incidentId, step.incidentId));
    const rows = stageTimeRows(after);
    if (rows.length > 0) await tx.insert(incidentStageTimes).values(rows);
  }
}
