/**
 * Steps a lost workflow task recorded. Steps are recorded by a local activity inside the workflow
 * task that made them; when a worker dies before that task completes, Temporal runs the task
 * again, and the steps it makes may differ (their time is the new task's, the signals it sees may
 * be more). What the lost task wrote was never part of the incident's history: a later task (a
 * longer history) supersedes it - the rows from the first differing seq on are moved out of the
 * ledger into incident_events_superseded (kept as they were), the stage timings they moved are
 * undone, and the measures are rebuilt from the ledger. An earlier task (a zombie worker
 * finishing a task that timed out) never supersedes a later one, and rows recorded without a task
 * (by versions before this one) are never superseded: a LedgerConflictError.
 */
import { and, eq, gte, sql } from 'drizzle-orm';
import { stageTimings } from '../db/schema.js';
import type { Transaction } from '../db/transaction.js';

/** May a batch of task `task` replace a row recorded by task `stored`? */
export function supersedes(task: number | undefined, stored: number | null): boolean {
  return task !== undefined && stored !== null && stored < task;
}

/** Removes an incident's events from `fromSeq` on, the stage timings they opened, and the exits they recorded. */
export async function supersede(tx: Transaction, incidentId: string, fromSeq: number): Promise<void> {
  // The ledger refuses deletes: this function moves the rows into incident_events_superseded (migration 0015).
  await tx.execute(sql`select irflow_supersede_events(${incidentId}, ${fromSeq})`);
  await tx.delete(stageTimings).where(and(eq(stageTimings.incidentId, incidentId), gte(stageTimings.enteredSeq, fromSeq)));
  await tx
    .update(stageTimings)
    .set({ leftSeq: null, leftAt: null })
    .where(and(eq(stageTimings.incidentId, incidentId), gte(stageTimings.leftSeq, fromSeq)));
}
