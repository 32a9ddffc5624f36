/** The access log: every read of a history, export and replay (who, which incident, when). */
import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Database } from './client.js';
import { accessLog } from './schema.js';

export type AccessAction = 'history' | 'verify' | 'export' | 'replay' | 'alert';

export async function recordAccess(db: Database, actor: string, action: AccessAction, incidentId: string): Promise<void> {
  await db.insert(accessLog).values({ actor, action, incidentId });
}

export async function listAccess(db: Database, filter: { incidentId?: string; before?: number; limit: number }) {
  const conditions: SQL[] = [];
  if (filter.incidentId) conditions.push(eq(accessLog.incidentId, filter.incidentId));
  if (filter.before) conditions.push(lt(accessLog.id, filter.before));
  const rows = await db.select().from(accessLog).where(and(...conditions)).orderBy(desc(accessLog.id)).limit(filter.limit);
  return rows.map((r) => ({ id: r.id, at: r.at.toISOString(), actor: r.actor, action: r.action, incidentId: r.incidentId }));
}
