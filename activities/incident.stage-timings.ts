/**
 * The stage timings a batch of steps moves, as writes that touch different rows (so they can be
 * parts of one statement): a stage entered in the batch is inserted with its exit when the batch
 * also leaves it; a stage entered before the batch and left in it is closed by one update.
 * Written in step order, statement by statement, these were the same rows: an exit closes the
 * stage's open row, an entry opens a row keyed by its seq (kept if it is there: a retry).
 */
import { and, eq, isNull, sql, type SQL } from 'drizzle-orm';
import { insertSql } from '../db/upsert.js';
import { stageTimings } from '../db/schema.js';
import type { IncidentStep } from '../machines/incident.types.js';

interface Entered {
  stage: string;
  enteredSeq: number;
  enteredAt: Date;
  leftSeq: number | null;
  leftAt: Date | null;
}

/** The writes for the stage effects of `steps` (in seq order), none when they move no stage. */
export function stageTimingWrites(steps: IncidentStep[]): SQL[] {
  const entered: Entered[] = [];
  /** Stages entered before the batch and left in it: their open row gets this exit. */
  const leftBefore = new Map<string, { leftSeq: number; leftAt: Date }>();
  for (const step of steps) {
    const when = new Date(step.at);
    for (const effect of step.effects) {
      const { stage } = effect.params;
      if (effect.type === 'stageEntered') {
        entered.push({ stage, enteredSeq: step.seq, enteredAt: when, leftSeq: null, leftAt: null });
        continue;
      }
      const open = entered.filter((row) => row.stage === stage && row.leftAt === null);
      for (const row of open) Object.assign(row, { leftSeq: step.seq, leftAt: when });
      if (open.length === 0 && !leftBefore.has(stage) && !entered.some((row) => row.stage === stage)) leftBefore.set(stage, { leftSeq: step.seq, leftAt: when });
    }
  }
  const writes: SQL[] = [...leftBefore].map(
    ([stage, exit]) =>
      sql`update ${stageTimings} set ${sql.identifier(stageTimings.leftSeq.name)} = ${exit.leftSeq}, ${sql.identifier(stageTimings.leftAt.name)} = ${exit.leftAt.toISOString()}
          where ${and(eq(stageTimings.incidentId, steps[0]!.incidentId), eq(stageTimings.stage, stage), isNull(stageTimings.leftAt))}`,
  );
  if (entered.length > 0) {
    const rows = entered.map((row) => ({ incidentId: steps[0]!.incidentId, ...row }));
    writes.push(sql`${insertSql(stageTimings, rows)} on conflict do nothing`);
  }
  return writes;
}
