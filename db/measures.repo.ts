/**
 * What the API counts into an incident's measures: transition attempts the gates refused (they
 * never enter the workflow's history) and alerts suppressed as duplicates. Each is one atomic
 * upsert-increment, beside the persistence activity's writes of the other columns.
 */
import { sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { incidentMeasures } from './measures.schema.js';

async function increment(db: Database, incidentId: string, column: 'refusedAttempts' | 'duplicatesSuppressed'): Promise<void> {
  const target = incidentMeasures[column];
  await db
    .insert(incidentMeasures)
    .values({ incidentId, [column]: 1 })
    .onConflictDoUpdate({ target: incidentMeasures.incidentId, set: { [column]: sql`${target} + 1` } });
}

export const countRefusedAttempt = (db: Database, incidentId: string) => increment(db, incidentId, 'refusedAttempts');
export const countSuppressedDuplicate = (db: Database, incidentId: string) => increment(db, incidentId, 'duplicatesSuppressed');
