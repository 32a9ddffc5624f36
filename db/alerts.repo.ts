/**
 * Alert intake records: de-duplication by (source, sourceId) and the claim of a correlation key
 * by an open incident, written together in one transaction.
 */
import { and, eq } from 'drizzle-orm';
import type { NormalisedAlert } from '../machines/alert.js';
import type { Database } from './client.js';
import { alerts, openCorrelations } from './schema.js';

export type AlertRecord = typeof alerts.$inferSelect;

export async function findAlert(db: Database, source: string, sourceId: string): Promise<AlertRecord | undefined> {
  const [row] = await db.select().from(alerts).where(and(eq(alerts.source, source), eq(alerts.sourceId, sourceId)));
  return row;
}

export interface NewAlert {
  alertId: string;
  alert: NormalisedAlert;
  correlationKey: string;
  /** Used when no open incident holds the key. */
  newIncidentId: string;
  receivedAt: Date;
}

/**
 * Claims the correlation key (or finds the open incident that holds it) and stores the alert.
 * Returns `undefined` when a concurrent request stored the same alert first.
 */
class AlertAlreadyStored extends Error {}

export async function storeAlert(db: Database, input: NewAlert): Promise<AlertRecord | undefined> {
  const { alert } = input;
  return db.transaction(async (tx) => {
    const claimed = await tx
      .insert(openCorrelations)
      .values({ key: input.correlationKey, incidentId: input.newIncidentId })
      .onConflictDoNothing()
      .returning({ incidentId: openCorrelations.incidentId });
    let incidentId = claimed[0]?.incidentId;
    if (!incidentId) {
      const [holder] = await tx.select().from(openCorrelations).where(eq(openCorrelations.key, input.correlationKey));
      incidentId = holder?.incidentId ?? input.newIncidentId;
    }
    const [row] = await tx
      .insert(alerts)
      .values({
        id: input.alertId,
        source: alert.source,
        sourceId: alert.sourceId,
        incidentId,
        title: alert.title,
        severity: alert.severity,
        ruleId: alert.rule?.id ?? null,
        ruleName: alert.rule?.name ?? null,
        category: alert.category ?? null,
        assets: alert.assets ?? [],
        observables: alert.observables ?? [],
        raw: alert.raw ?? null,
        correlationKey: input.correlationKey,
        detectedAt: alert.detectedAt ? new Date(alert.detectedAt) : null,
        firstEventAt: alert.firstEventAt ? new Date(alert.firstEventAt) : null,
        techniques: alert.techniques ?? [],
        receivedAt: input.receivedAt,
      })
      .onConflictDoNothing()
      .returning();
    // Roll the claim back too: the request that stored the alert first owns its routing.
    if (!row) throw new AlertAlreadyStored();
    return row;
  }).catch((error: unknown) => {
    if (error instanceof AlertAlreadyStored) return undefined;
    throw error;
  });
}

export async function markDelivered(db: Database, alertId: string, at: Date): Promise<void> {
  await db.update(alerts).set({ deliveredAt: at }).where(eq(alerts.id, alertId));
}

/** Frees a key whose incident can take no more alerts; a later alert then opens a new incident. */
export async function releaseCorrelation(db: Database, key: string, incidentId: string): Promise<void> {
  await db.delete(openCorrelations).where(and(eq(openCorrelations.key, key), eq(openCorrelations.incidentId, incidentId)));
}

/** Moves an undelivered alert to another incident (its first incident could not take it). */
export async function reassignAlert(db: Database, alertId: string, incidentId: string): Promise<void> {
  await db.update(alerts).set({ incidentId }).where(eq(alerts.id, alertId));
}
