/** The access log: every read of a history, export and replay (who, which incident, when); written by api/audit-trail.ts with its signed chain. */
import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Database } from './client.js';
import { accessLog } from './schema.js';

export type AccessAction = 'history' | 'verify' | 'export' | 'replay' | 'alert';

export async function listAccess(db: Database, filter: { incidentId?: string; before?: number; limit: number }) {
  const conditions: SQL[] = [];
  if (filter.incidentId) conditions.push(eq(accessLog.incidentId, filter.incidentId));
  if (filter.before) conditions.push(lt(accessLog.id, filter.before));
  const rows = await db.select().from(accessLog).where(and(...conditions)).orderBy(desc(accessLog.id)).limit(filter.limit);
  return rows.map((r) => ({ id: r.id, at: r.at.toISOString(), actor: r.actor, action: r.action, incidentId: r.incidentId }));
}
