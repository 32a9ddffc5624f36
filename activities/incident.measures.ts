/**
 * Keeps an incident's measures row in step with its audit log, inside the step's transaction:
 * reads the row, folds the step in (machines/measures.ts), writes it back. The API's counters
 * (refused attempts, suppressed duplicates) are columns this never writes, so neither overwrites
 * the other.
 */
import { eq, sql, type SQL } from 'drizzle-orm';
import { alerts, incidentMeasures } from '../db/schema.js';
import type { IncidentStep } from '../machines/incident.types.js';
import { DIMENSIONS, alertFactsOf, measureOfRow, measureWrites, rebuildMeasure, writeMeasure } from '../db/measures.rows.js';
import { emptyMeasure, foldEvent, withProjection, type AlertFacts, type IncidentMeasure } from '../machines/measures.js';

import type { Transaction } from '../db/transaction.js';
import { rowFromJson } from '../db/upsert.js';

export type { Transaction };

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
  return row ? alertFactsOf(row) : undefined;
}

/** An alert's facts: those read with the batch when it is that alert, else read now. */
function factsOf(tx: Transaction, alertId: unknown, read: MeasuresRead): Promise<AlertFacts | undefined> | AlertFacts | undefined {
  return read.firstAlert && read.firstAlert.alertId === alertId ? read.firstAlert.facts : alertFacts(tx, alertId);
}

/** What folding steps into the measures reads first: the incident's measures row, locked. */
export interface MeasuresRead {
  row: typeof incidentMeasures.$inferSelect | undefined;
  /** The facts of the batch's first alert, read with it (`firstAlertFacts`): the one that sets a new incident's source. */
  firstAlert?: { alertId: string; facts: AlertFacts | undefined };
  /** Rebuild from the ledger instead of folding (steps a lost task recorded were superseded). */
  rebuild?: boolean;
}

/** The first alert the steps receive, whose facts the batch's read fetches (`firstAlertFacts`). */
export function firstAlertOf(steps: IncidentStep[]): string | undefined {
  const alertId = steps.find((step) => step.type === 'alert_received')?.data.alertId;
  return typeof alertId === 'string' ? alertId : undefined;
}

/** The select, for the batch's read, of an alert's facts as one jsonb value by column name (null when there is none). */
export function firstAlertFacts(alertId: string | undefined): SQL {
  if (alertId === undefined) return sql`null::jsonb`;
  return sql`(select jsonb_build_object('source', a.source, 'rule_id', a.rule_id, 'detected_at', a.detected_at, 'first_event_at', a.first_event_at)
                from ${alerts} a where a.id = ${alertId})`;
}

/**
 * The measures row and the first alert's facts as read with the batch's other reads (as jsonb
 * by column name, mapped as drizzle would: db/upsert.ts rowFromJson).
 */
export function measuresReadOf(json: Record<string, unknown> | null, alertId?: string, facts?: Record<string, unknown> | null): MeasuresRead {
  const row = json ? rowFromJson(incidentMeasures, json) : undefined;
  if (alertId === undefined) return { row };
  return { row, firstAlert: { alertId, facts: facts ? alertFactsOf(rowFromJson(alerts, facts)) : undefined } };
}

/** Rebuilds the incident's measure from its audit log (its steps' events written first) and writes it. */
export async function rebuildMeasures(tx: Transaction, last: IncidentStep): Promise<void> {
  const rebuilt = await rebuildMeasure(tx, last.projection);
  if (rebuilt) await writeMeasure(tx, rebuilt);
}

/**
 * Folds newly recorded steps, in seq order, into the incident's measures (read with the batch,
 * `measuresReadOf`): the writes to send with the steps' other writes. Null when the measure is
 * rebuilt from the ledger instead (`rebuildMeasures`, once the steps' events are written): an
 * incident recorded before measures existed, or whose lost steps were superseded.
 */
export async function measureWritesFor(tx: Transaction, steps: IncidentStep[], read: MeasuresRead): Promise<SQL[] | null> {
  const first = steps[0];
  if (!first) return [];
  const recorded = read.row?.createdAt ? measureOfRow(read.row) : undefined;
  if (read.rebuild || (!recorded && first.seq > 1)) return null;
  let measure = recorded;
  for (const step of steps) {
    const event = { seq: step.seq, at: step.at, type: step.type, actor: step.actor, from: step.from, to: step.to, data: step.data };
    const before = measure ?? emptyMeasure(step.incidentId, event);
    // Only the first alert sets the source: read its facts then, not for every alert that joins.
    const alert = step.type === 'alert_received' && before.source === null ? await factsOf(tx, step.data.alertId, read) : undefined;
    measure = withProjection(foldEvent(before, event, step.projection.open, alert), step.projection);
  }
  return measureWrites(measure!, { stageTimes: stageTimesChanged(recorded, measure!) });
}
