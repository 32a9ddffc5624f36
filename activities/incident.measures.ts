/**
 * Keeps an incident's measures row in step with its audit log, inside the step's transaction:
 * reads the row, folds the step in (machines/measures.ts), writes it back. The API's counters
 * (refused attempts, suppressed duplicates) are columns this never writes, so neither overwrites
 * the other.
 */
import { eq, type SQL } from 'drizzle-orm';
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

/** What folding steps into the measures reads first: the incident's measures row, locked. */
export interface MeasuresRead {
  row: typeof incidentMeasures.$inferSelect | undefined;
  /** Rebuild from the ledger instead of folding (steps a lost task recorded were superseded). */
  rebuild?: boolean;
}

/** The measures row as read with the batch's other reads (as `to_jsonb`, db/upsert.ts rowFromJson). */
export function measuresReadOf(json: Record<string, unknown> | null): MeasuresRead {
  return { row: json ? rowFromJson(incidentMeasures, json) : undefined };
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
    const alert = step.type === 'alert_received' && before.source === null ? await alertFacts(tx, step.data.alertId) : undefined;
    measure = withProjection(foldEvent(before, event, step.projection.open, alert), step.projection);
  }
  return measureWrites(measure!, { stageTimes: stageTimesChanged(recorded, measure!) });
}
