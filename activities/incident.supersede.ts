/**
 * Steps a lost workflow task recorded. Steps are recorded by a local activity inside the workflow
 * task that made them; when a worker dies before that task completes, Temporal runs the task
 * again, and the steps it makes may differ (their time is the new task's, the signals it sees may
 * be more). What the lost task wrote was never part of the incident's history: a later task (a
 * longer history) supersedes it - the rows from the first differing seq on are removed with the
 * stage timings they moved, and the measures are rebuilt from the ledger. An earlier task (a
 * zombie worker finishing a task that timed out) never supersedes a later one, and rows recorded
 * without a task (by versions before this one) are never superseded: a LedgerConflictError.
 */
import { sql } from 'drizzle-orm';
import { incidentEvents, stageTimings } from '../db/schema.js';
import type { Transaction } from '../db/transaction.js';
import { columnName, tableName } from '../db/upsert.js';

/** May a batch of task `task` replace a row recorded by task `stored`? */
export function supersedes(task: number | undefined, stored: number | null): boolean {
  return task !== undefined && stored !== null && stored < task;
}

const ident = (name: string) => sql.raw(name);

/** Removes an incident's events from `fromSeq` on, the stage timings they opened, and the exits they recorded. */
export async function supersede(tx: Transaction, incidentId: string, fromSeq: number): Promise<void> {
  const [events, eventIncident, eventSeq] = [tableName(incidentEvents), columnName(incidentEvents, 'incidentId'), columnName(incidentEvents, 'seq')].map(ident);
  const [timings, incident, enteredSeq, leftSeq, leftAt] = [
    tableName(stageTimings),
    ...['incidentId', 'enteredSeq', 'leftSeq', 'leftAt'].map((p) => columnName(stageTimings, p)),
  ].map(ident);
  await tx.execute(sql`delete from ${events} where ${eventIncident} = ${incidentId} and ${eventSeq} >= ${fromSeq}`);
  await tx.execute(sql`delete from ${timings} where ${incident} = ${incidentId} and ${enteredSeq} >= ${fromSeq}`);
  await tx.execute(sql`update ${timings} set ${leftSeq} = null, ${leftAt} = null where ${incident} = ${incidentId} and ${leftSeq} >= ${fromSeq}`);
}
