/**
 * Incident health for operators: incidents whose steps keep failing to record (stuck), steps an
 * incident gave up recording as given (unrecordable), and alerts delivered to an incident that
 * has recorded nothing long after (unrecorded).
 */
import { and, desc, gte, isNotNull, lt, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { alerts, incidents, recordingFailures, recordingRetries } from './schema.js';

export interface IncidentHealth {
  stuck: Array<{ incidentId: string; seq: number; attempts: number; since: string; lastFailedAt: string; lastError: string }>;
  unrecordable: Array<{ incidentId: string; seq: number; stepType: string; reason: string; at: string }>;
  unrecorded: Array<{ incidentId: string; alerts: number; deliveredSince: string }>;
}

export interface HealthWindow {
  /** An incident recorded nothing this long after its first alert was delivered: unrecorded. */
  unrecordedAfterSeconds: number;
  /** Give-ups and unrecorded alerts newer than this are listed. */
  since: Date;
  limit: number;
  now?: Date;
}

export async function incidentHealth(db: Database, window: HealthWindow): Promise<IncidentHealth> {
  const now = window.now ?? new Date();
  const [retries, failures, orphans] = await Promise.all([
    db.select().from(recordingRetries).orderBy(recordingRetries.firstFailedAt).limit(window.limit),
    db
      .select()
      .from(recordingFailures)
      .where(gte(recordingFailures.at, window.since))
      .orderBy(desc(recordingFailures.at))
      .limit(window.limit),
    db
      .select({ incidentId: alerts.incidentId, alerts: sql<number>`count(*)::int`, deliveredSince: sql<Date>`min(${alerts.deliveredAt})` })
      .from(alerts)
      .where(
        and(
          isNotNull(alerts.deliveredAt),
          gte(alerts.deliveredAt, window.since),
          lt(alerts.deliveredAt, new Date(now.getTime() - window.unrecordedAfterSeconds * 1000)),
          sql`not exists (select 1 from ${incidents} i where i.id = ${alerts.incidentId})`,
        ),
      )
      .groupBy(alerts.incidentId)
      .limit(window.limit),
  ]);
  const iso = (d: Date | string) => new Date(d).toISOString();
  return {
    stuck: retries.map((r) => ({ incidentId: r.incidentId, seq: r.seq, attempts: r.attempts, since: iso(r.firstFailedAt), lastFailedAt: iso(r.lastFailedAt), lastError: r.lastError })),
    unrecordable: failures.map((f) => ({ incidentId: f.incidentId, seq: f.seq, stepType: f.stepType, reason: f.reason, at: iso(f.at) })),
    unrecorded: orphans.map((o) => ({ incidentId: o.incidentId, alerts: Number(o.alerts), deliveredSince: iso(o.deliveredSince) })),
  };
}
