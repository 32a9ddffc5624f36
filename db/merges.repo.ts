/**
 * The database side of merging an incident into another: its alerts move to the target (left
 * undelivered, so redelivery hands them to the target's workflow even if this process dies
 * now) and its correlation key routes to the target from now on - unless a new incident claimed
 * the key in the moment since the source closed.
 */
import { and, eq } from 'drizzle-orm';
import type { AlertRecord } from './alerts.repo.js';
import type { Database } from './client.js';
import { alerts, openCorrelations } from './schema.js';

export async function moveToMergeTarget(db: Database, merge: { source: string; target: string; correlationKey: string | null }): Promise<AlertRecord[]> {
  return db.transaction(async (tx) => {
    if (merge.correlationKey) {
      await tx.delete(openCorrelations).where(and(eq(openCorrelations.key, merge.correlationKey), eq(openCorrelations.incidentId, merge.source)));
      await tx.insert(openCorrelations).values({ key: merge.correlationKey, incidentId: merge.target }).onConflictDoNothing();
    }
    return tx.update(alerts).set({ incidentId: merge.target, deliveredAt: null }).where(eq(alerts.incidentId, merge.source)).returning();
  });
}
