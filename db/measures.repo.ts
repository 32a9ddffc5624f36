/**
 * What the API counts into an incident's measures: transition attempts the gates refused (they
 * never enter the workflow's history) and alerts suppressed as duplicates. Each is one atomic
 * upsert-increment, beside the persistence activity's writes of the other columns.
 */
import { sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { incidentMeasures } from './measures.schema.js';

async function increment(db: Database, incidentId: string, column: 'refusedAttempts'): Promise<void> {
  const target = incidentMeasures[column];
  await db
    .insert(incidentMeasures)
    .values({ incidentId, [column]: 1 })
    .onConflictDoUpdate({ target: incidentMeasures.incidentId, set: { [column]: sql`${target} + 1` } });
}

export const countRefusedAttempt = (db: Database, incidentId: string) => increment(db, incidentId, 'refusedAttempts');

/** One suppressed duplicate per entry (an incident may appear more than once). */
export async function countSuppressedDuplicates(db: Database, incidentIds: string[]): Promise<void> {
  const counts = new Map<string, number>();
  for (const id of incidentIds) counts.set(id, (counts.get(id) ?? 0) + 1);
  if (counts.size === 0) return;
  const target = incidentMeasures.duplicatesSuppressed;
  await db
    .insert(incidentMeasures)
    .values([...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([incidentId, n]) => ({ incidentId, duplicatesSuppressed: n })))
    .onConflictDoUpdate({ target: incidentMeasures.incidentId, set: { duplicatesSuppressed: sql`${target} + excluded.duplicates_suppressed` } });
}
