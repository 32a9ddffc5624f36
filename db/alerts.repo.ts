/**
 * Alert intake records: de-duplication by (source, sourceId) and the claim of a correlation key
 * by an open incident, a whole batch in one transaction; delivery marks; and the atomic move of
 * alerts (with their key) to a new incident when theirs can take no more.
 */
import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { NormalisedAlert } from '../machines/alert.js';
import type { Database } from './client.js';
import { newIncidentId } from './ids.js';
import { alerts, openCorrelations } from './schema.js';
import { selectRows } from './sql-rows.js';
import { insertSql, rowFromJson } from './upsert.js';
import type { Transaction } from './transaction.js';

export type AlertRecord = typeof alerts.$inferSelect;

export interface NewAlert {
  alertId: string;
  alert: NormalisedAlert;
  correlationKey: string;
  /** How long an incident holds the key after claiming it (the playbook's correlation window). */
  windowMs?: number;
}

export interface KeyClaim {
  key: string;
  windowMs?: number;
}

export interface StoredAlert {
  record: AlertRecord;
  /** True when this call stored it; false when it was stored before (a repeat). */
  stored: boolean;
}

/**
 * The incident holding each key: claims free keys for new incidents, keeps the holders of the
 * others - but a key held longer than its window passes to a new incident (the old one stays
 * open with the alerts it has).
 */
async function claimKeys(tx: Transaction, claims: KeyClaim[], now = new Date()): Promise<Map<string, string>> {
  const sorted = [...new Set(claims.map((c) => c.key))].sort();
  if (sorted.length === 0) return new Map();
  await takeOverExpiredClaims(tx, claims, now);
  // Sorted: two batches claiming the same keys wait for each other instead of deadlocking.
  await tx
    .insert(openCorrelations)
    .values(sorted.map((key) => ({ key, incidentId: newIncidentId() })))
    .onConflictDoNothing();
  const holders = await tx.select().from(openCorrelations).where(inArray(openCorrelations.key, sorted));
  return new Map(holders.map((h) => [h.key, h.incidentId]));
}

async function takeOverExpiredClaims(tx: Transaction, claims: KeyClaim[], now: Date): Promise<void> {
  const windowed = new Map<string, number>();
  for (const c of claims) if (c.windowMs) windowed.set(c.key, Math.min(c.windowMs, windowed.get(c.key) ?? Infinity));
  if (windowed.size === 0) return;
  const held = await tx
    .select()
    .from(openCorrelations)
    .where(inArray(openCorrelations.key, [...windowed.keys()].sort()))
    .for('update');
  for (const claim of held) {
    if (claim.claimedAt.getTime() >= now.getTime() - windowed.get(claim.key)!) continue;
    await tx
      .update(openCorrelations)
      .set({ incidentId: newIncidentId(), claimedAt: now })
      .where(and(eq(openCorrelations.key, claim.key), eq(openCorrelations.incidentId, claim.incidentId)));
  }
}

function alertRow(input: NewAlert, incidentId: string, receivedAt: Date): typeof alerts.$inferInsert {
  const { alert } = input;
  return {
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
    mitre: alert.mitre?.length ? alert.mitre : null,
    receivedAt,
    normalised: alert.normalised?.length ? alert.normalised : null,
  };
}

/**
 * Stores the alerts of one source that are not stored yet, routed to the open incident holding
 * their correlation key (or a new one), in one transaction; answers every alert, in order, with
 * its record and whether this call stored it. Safe under concurrent batches holding the same alerts.
 */
export async function storeAlerts(db: Database, source: string, inputs: NewAlert[], receivedAt: Date): Promise<StoredAlert[]> {
  return db.transaction(async (tx) => {
    const sourceIds = inputs.map((i) => i.alert.sourceId);
    // Rows as JSON, one parameter for all the ids: a batch of 500 is one short statement, not 500 bound values.
    const known = async () =>
      new Map(
        (
          await selectRows<{ row: Record<string, unknown> }>(
            tx,
            sql`select to_jsonb(a) as row from ${alerts} a where a.source = ${source} and a.source_id in (select jsonb_array_elements_text(${JSON.stringify(sourceIds)}::jsonb))`,
          )
        ).map(({ row }) => {
          const record = rowFromJson(alerts, row);
          return [record.sourceId, record];
        }),
      );
    const before = await known();
    const fresh = inputs.filter((i) => !before.has(i.alert.sourceId)).sort((a, b) => (a.alert.sourceId < b.alert.sourceId ? -1 : 1));
    const holders = await claimKeys(
      tx,
      fresh.map((i) => ({ key: i.correlationKey, ...(i.windowMs ? { windowMs: i.windowMs } : {}) })),
      receivedAt,
    );
    const inserted =
      fresh.length === 0
        ? []
        : (
            await selectRows<{ row: Record<string, unknown> }>(
              tx,
              sql`${insertSql(
                alerts,
                fresh.map((i) => alertRow(i, holders.get(i.correlationKey)!, receivedAt)),
              )} on conflict do nothing returning to_jsonb(${alerts}.*) as row`,
            )
          ).map(({ row }) => rowFromJson(alerts, row));
    const storedHere = new Set(inserted.map((r) => r.sourceId));
    // A concurrent batch may have stored some of them between the first read and the insert.
    const all = inserted.length === fresh.length ? new Map([...before, ...inserted.map((r) => [r.sourceId, r] as const)]) : await known();
    return inputs.map((i) => ({ record: all.get(i.alert.sourceId)!, stored: storedHere.has(i.alert.sourceId) }));
  });
}

/** Marks alerts delivered; returns the ids this call marked (the others were marked before). */
export async function markDelivered(db: Database, alertIds: string[], at: Date): Promise<Set<string>> {
  if (alertIds.length === 0) return new Set();
  const marked = await db
    .update(alerts)
    .set({ deliveredAt: at })
    .where(and(inArray(alerts.id, alertIds), isNull(alerts.deliveredAt)))
    .returning({ id: alerts.id });
  return new Set(marked.map((m) => m.id));
}

export interface Reroute {
  correlationKey: string;
  /** The incident that can take no more alerts. */
  fromIncidentId: string;
  alertIds: string[];
}

/**
 * Moves alerts from an incident that can take no more to the one now holding their key: the old
 * incident's claim is released and the key claimed for a new incident in the same transaction
 * (or found held by one a concurrent move or alert opened). Returns the incident that holds them.
 */
export async function rerouteAlerts(db: Database, reroute: Reroute): Promise<string> {
  return db.transaction(async (tx) => {
    await tx
      .delete(openCorrelations)
      .where(and(eq(openCorrelations.key, reroute.correlationKey), eq(openCorrelations.incidentId, reroute.fromIncidentId)));
    const holder = (await claimKeys(tx, [{ key: reroute.correlationKey }])).get(reroute.correlationKey)!;
    if (reroute.alertIds.length > 0) {
      await tx
        .update(alerts)
        .set({ incidentId: holder })
        .where(and(inArray(alerts.id, reroute.alertIds), eq(alerts.incidentId, reroute.fromIncidentId)));
    }
    return holder;
  });
}

/** Alerts stored but not yet held by their incident's workflow, oldest first. */
export async function undeliveredAlerts(db: Database, receivedBefore: Date, limit: number): Promise<AlertRecord[]> {
  return db
    .select()
    .from(alerts)
    .where(and(isNull(alerts.deliveredAt), lt(alerts.receivedAt, receivedBefore)))
    .orderBy(alerts.receivedAt)
    .limit(limit);
}

/** How many alerts wait for delivery, counted up to `cap` (enough to say "too many"). */
export async function queuedAlerts(db: Database, cap: number): Promise<number> {
  const [row] = await selectRows<{ n: number }>(db, sql`select count(*)::int as n from (select 1 from ${alerts} where ${alerts.deliveredAt} is null limit ${cap}) waiting`);
  return Number(row?.n ?? 0);
}

/** Does an incident have alerts stored for it that its workflow does not hold yet? */
export async function hasQueuedAlerts(db: Database, incidentId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: alerts.id })
    .from(alerts)
    .where(and(eq(alerts.incidentId, incidentId), isNull(alerts.deliveredAt)))
    .limit(1);
  return Boolean(row);
}
