/** Read models of incidents for the API: the view, lists with cursor pagination, the audit log. */
import { and, asc, desc, eq, gt, lt, lte, or, type SQL } from 'drizzle-orm';
import type { IncidentProjection, IncidentView } from '../machines/incident.types.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { Priority, Severity } from '../machines/playbook.types.js';
import type { Fields } from '../machines/procedure.js';
import { clockView } from '../machines/sla.js';
import { isOverdue } from '../machines/casework.js';
import type { Database } from './client.js';
import type { StoredEvent } from './ledger.js';
import { incidentEvents, incidents } from './schema.js';

type IncidentRow = typeof incidents.$inferSelect;

/** The view of a projected incident; SLA clocks are read at `now`. */
export function toIncidentView(row: IncidentRow, now = new Date()): IncidentView {
  return {
    id: row.id,
    title: row.title,
    stage: row.stage,
    severity: row.severity as Severity,
    priority: row.priority as Priority,
    playbook: { id: row.playbookId, version: row.playbookVersion },
    alertCount: row.alertCount,
    allowedEvents: row.allowedEvents,
    fields: row.fields as Fields,
    pendingApprovals: row.pendingApprovals,
    priorityReason: row.priorityReason!,
    context: row.context,
    flags: { possibleChangeRelated: row.possibleChangeRelated, riskExceptionActive: row.riskExceptionActive },
    sla: row.clocks.map((clock) => clockView(clock, now.toISOString())),
    assignee: row.assignee,
    effortMinutes: row.effortMinutes,
    tasks: row.tasks.map((task) => ({ ...task, overdue: isOverdue(task, now.toISOString()) })),
    links: row.links,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The projection as the persistence activity wrote it (SLA clocks read at `now`). */
export function toIncidentProjection(row: IncidentRow, now = new Date()): IncidentProjection {
  return {
    ...toIncidentView(row, now),
    description: row.description,
    category: row.category,
    correlationKey: row.correlationKey,
    open: row.open,
    closedAt: row.closedAt?.toISOString() ?? null,
    milestones: row.milestones,
    clocks: row.clocks,
  };
}

export async function findIncident(db: Database, id: string): Promise<IncidentRow | undefined> {
  const [row] = await db.select().from(incidents).where(eq(incidents.id, id));
  return row;
}

export interface IncidentFilter {
  stage?: string;
  severity?: string;
  priority?: string;
  playbook?: string;
  open?: boolean;
  slaBreached?: boolean;
  /** Seconds: incidents with a running clock whose deadline falls within this from now. */
  slaDueWithinSeconds?: number;
  /** `createdAt`: newest first; `priority`: P1 first, then newest. */
  sort?: 'createdAt' | 'priority';
  limit: number;
  cursor?: string;
}

const cursorOf = (row: IncidentRow) => encodeCursor([row.createdAt.toISOString(), row.id, row.priority]);

function afterCursor(cursor: string): { createdAt: Date; id: string; priority: string } {
  const { at, values } = decodeCursor(cursor, 3);
  return { createdAt: at, id: values[1]!, priority: values[2]! };
}

/** Newest first; `nextCursor` continues after the last row. */
export async function listIncidents(db: Database, filter: IncidentFilter): Promise<{ incidents: IncidentView[]; nextCursor: string | null }> {
  const conditions: SQL[] = [];
  if (filter.stage) conditions.push(eq(incidents.stage, filter.stage));
  if (filter.severity) conditions.push(eq(incidents.severity, filter.severity));
  if (filter.priority) conditions.push(eq(incidents.priority, filter.priority));
  if (filter.playbook) conditions.push(eq(incidents.playbookId, filter.playbook));
  if (filter.open !== undefined) conditions.push(eq(incidents.open, filter.open));
  if (filter.slaBreached !== undefined) conditions.push(eq(incidents.slaBreached, filter.slaBreached));
  if (filter.slaDueWithinSeconds !== undefined) conditions.push(lte(incidents.slaNextDeadline, new Date(Date.now() + filter.slaDueWithinSeconds * 1000)));
  const byPriority = filter.sort === 'priority';
  if (filter.cursor) {
    const after = afterCursor(filter.cursor);
    const newer = or(lt(incidents.createdAt, after.createdAt), and(eq(incidents.createdAt, after.createdAt), lt(incidents.id, after.id)))!;
    // P1 < P2 … as text, so "after" in priority order is a greater priority text, or the same and older.
    conditions.push(byPriority ? or(gt(incidents.priority, after.priority), and(eq(incidents.priority, after.priority), newer))! : newer);
  }
  const order = byPriority ? [asc(incidents.priority), desc(incidents.createdAt), desc(incidents.id)] : [desc(incidents.createdAt), desc(incidents.id)];
  const rows = await db
    .select()
    .from(incidents)
    .where(and(...conditions))
    .orderBy(...order)
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  return { incidents: page.map((row) => toIncidentView(row)), nextCursor: rows.length > filter.limit ? cursorOf(page.at(-1)!) : null };
}

/**
 * The audit log of an incident in seq order, as stored (for display and for verification); with
 * `upToSeq`, up to that step: a step's events and its projection commit together, so the log up
 * to the `lastSeq` of a projection read before is exactly the log that projection describes.
 */
export async function incidentHistory(db: Database, incidentId: string, options: { upToSeq?: number } = {}): Promise<StoredEvent[]> {
  const ofIncident = eq(incidentEvents.incidentId, incidentId);
  const where = options.upToSeq === undefined ? ofIncident : and(ofIncident, lte(incidentEvents.seq, options.upToSeq));
  const rows = await db.select().from(incidentEvents).where(where).orderBy(asc(incidentEvents.seq));
  return rows.map((row) => ({
    incidentId: row.incidentId,
    seq: row.seq,
    at: row.at.toISOString(),
    type: row.type,
    actor: row.actor,
    from: row.from,
    to: row.to,
    data: row.data,
    prevHash: row.prevHash,
    hash: row.hash,
  }));
}

/** An incident and those merged into it (their notes, evidence and observables are its own now). */
export async function mergedFamily(db: Database, id: string): Promise<string[]> {
  const row = await findIncident(db, id);
  return [id, ...(row?.links ?? []).filter((l) => l.relation === 'merged-from').map((l) => l.incidentId)];
}
