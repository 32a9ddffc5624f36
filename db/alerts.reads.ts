/** Stored alerts as analysts and auditors read them: one by id, an incident's page by page. */
import { and, asc, eq, gt, or } from 'drizzle-orm';
import type { AlertAsset } from '../machines/alert.js';
import type { Observable } from '../machines/context.types.js';
import type { AlertRecord } from './alerts.repo.js';
import type { Database } from './client.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { alerts } from './schema.js';

export interface AlertView {
  id: string;
  source: string;
  sourceId: string;
  incidentId: string;
  title: string;
  severity: string;
  ruleId: string | null;
  ruleName: string | null;
  category: string | null;
  detectedAt: string | null;
  receivedAt: string;
  deliveredAt: string | null;
  assets: AlertAsset[];
  observables: Observable[];
  mitre: Array<{ id: string; name?: string }>;
  normalised?: string[];
  /** The payload as received (bounded: a larger one is `{truncated, bytes, text}`). */
  raw: unknown;
}

export function toAlertView(row: AlertRecord): AlertView {
  return {
    id: row.id,
    source: row.source,
    sourceId: row.sourceId,
    incidentId: row.incidentId,
    title: row.title,
    severity: row.severity,
    ruleId: row.ruleId,
    ruleName: row.ruleName,
    category: row.category,
    detectedAt: row.detectedAt?.toISOString() ?? null,
    receivedAt: row.receivedAt.toISOString(),
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    assets: row.assets as AlertAsset[],
    observables: row.observables,
    mitre: row.mitre ?? row.techniques.map((id) => ({ id })),
    ...(row.normalised?.length ? { normalised: row.normalised } : {}),
    raw: row.raw,
  };
}

export async function findAlert(db: Database, id: string): Promise<AlertView | undefined> {
  const [row] = await db.select().from(alerts).where(eq(alerts.id, id));
  return row ? toAlertView(row) : undefined;
}

/** An incident's alerts, oldest first, `limit` at a time. */
export async function listIncidentAlerts(db: Database, incidentId: string, page: { limit: number; cursor?: string }): Promise<{ alerts: AlertView[]; nextCursor: string | null }> {
  const conditions = [eq(alerts.incidentId, incidentId)];
  if (page.cursor) {
    const { at, values } = decodeCursor(page.cursor, 2);
    conditions.push(or(gt(alerts.receivedAt, at), and(eq(alerts.receivedAt, at), gt(alerts.id, values[1]!)))!);
  }
  const rows = await db
    .select()
    .from(alerts)
    .where(and(...conditions))
    .orderBy(asc(alerts.receivedAt), asc(alerts.id))
    .limit(page.limit + 1);
  const shown = rows.slice(0, page.limit);
  return { alerts: shown.map(toAlertView), nextCursor: rows.length > page.limit ? encodeCursor([shown.at(-1)!.receivedAt.toISOString(), shown.at(-1)!.id]) : null };
}
