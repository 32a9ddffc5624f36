/**
 * Keeps an incident's measures row in step with its audit log, inside the step's transaction:
 * reads the row, folds the step in (machines/measures.ts), writes it back. The API's counters
 * (refused attempts, suppressed duplicates) are columns this never writes, so neither overwrites
 * the other.
 */
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { alerts, incidentMeasures } from '../db/schema.js';
import type { IncidentStep } from '../machines/incident.types.js';
import { DIMENSIONS, alertFactsOf, measureOfRow, rebuildMeasure, writeMeasure } from '../db/measures.rows.js';
import { emptyMeasure, foldEvent, withProjection, type AlertFacts, type IncidentMeasure } from '../machines/measures.js';

export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

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

/** Folds a newly recorded step into the incident's measures (call once per recorded step). */
export async function recordMeasure(tx: Transaction, step: IncidentStep): Promise<void> {
  const [row] = await tx.select().from(incidentMeasures).where(eq(incidentMeasures.incidentId, step.incidentId)).for('update');
  const recorded = row?.createdAt ? measureOfRow(row) : undefined;
  if (!recorded && step.seq > 1) {
    // An incident recorded before measures existed: rebuild from its audit log, this step included.
    const rebuilt = await rebuildMeasure(tx, step.projection);
    if (rebuilt) await writeMeasure(tx, rebuilt);
    return;
  }
  const event = { seq: step.seq, at: step.at, type: step.type, actor: step.actor, from: step.from, to: step.to, data: step.data };
  const before = recorded ?? emptyMeasure(step.incidentId, event);
  const alert = step.type === 'alert_received' && before.source === null ? await alertFacts(tx, step.data.alertId) : undefined;
  const after = withProjection(foldEvent(before, event, step.projection.open, alert), step.projection);
  await writeMeasure(tx, after, { stageTimes: stageTimesChanged(recorded, after) });
}
