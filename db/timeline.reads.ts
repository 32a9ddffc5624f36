/**
 * An incident's timeline for people: lifecycle, alerts, notes, tasks, approvals, SLA and context
 * events of its ledger as one ordered list of one-line entries. The ledger stays the source:
 * every entry names its seq. Restricted notes the reader may not read show without their text.
 */
import { and, asc, eq, gt } from 'drizzle-orm';
import { mayReadNote, type NoteVisibility } from '../machines/casework.js';
import type { Database } from './client.js';
import type { Reader } from './casework.reads.js';
import { incidentEvents } from './schema.js';

export const TIMELINE_KINDS = ['lifecycle', 'alert', 'note', 'task', 'evidence', 'observable', 'link', 'approval', 'sla', 'context', 'notification', 'assignment', 'work', 'system'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineEntry {
  seq: number;
  at: string;
  kind: TimelineKind;
  type: string;
  actor: string;
  summary: string;
}

type Data = Record<string, unknown>;
const text = (value: unknown) => (typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value));
const excerpt = (value: unknown, max = 200) => {
  const line = text(value).replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

function kindOf(type: string): TimelineKind {
  if (type === 'incident_opened' || type === 'transitioned' || type === 'priority_changed') return 'lifecycle';
  if (type.startsWith('alert_')) return 'alert';
  if (type.startsWith('note_')) return 'note';
  if (type.startsWith('task_')) return 'task';
  if (type.startsWith('evidence_')) return 'evidence';
  if (type === 'observable_added') return 'observable';
  if (type === 'incident_linked' || type === 'incident_merged') return 'link';
  if (type.startsWith('approval_')) return 'approval';
  if (type.startsWith('sla_')) return 'sla';
  if (type === 'context_gathered' || type === 'enrichment_failed') return 'context';
  if (type.startsWith('notification_')) return 'notification';
  if (type === 'assigned') return 'assignment';
  if (type === 'work_logged') return 'work';
  return 'system';
}

function noteSummary(type: string, d: Data, readable: boolean): string {
  const verb = type === 'note_added' ? 'added' : type === 'note_edited' ? `edited (version ${text(d.version)})` : 'deleted';
  const body = readable && type !== 'note_deleted' ? `: ${excerpt(d.body)}` : '';
  return `note ${text(d.noteId)} ${verb}${d.visibility === 'restricted' ? ' [restricted]' : ''}${body}`;
}

function summaryOf(type: string, from: string | null, to: string | null, d: Data, reader: Reader, actor: string): string {
  switch (type) {
    case 'incident_opened':
      return `opened in ${to}: ${excerpt(d.title)} (${text(d.severity)}, ${text(d.priority)})`;
    case 'transitioned':
      return `${text(d.event)}: ${from} → ${to}${d.comment ? ` — ${excerpt(d.comment)}` : ''}`;
    case 'alert_received':
      return `alert ${excerpt(d.title ?? d.alertId, 120)}${d.severity ? ` (${text(d.severity)})` : ''}`;
    case 'task_created':
      return `task ${text(d.taskId)} created: ${excerpt(d.title)}`;
    case 'task_updated':
      return `task ${text(d.taskId)} ${text(d.status)}${d.changes && typeof d.changes === 'object' && 'assignee' in d.changes ? `, assigned to ${text((d.changes as Data).assignee) || 'nobody'}` : ''}`;
    case 'evidence_added':
      return `evidence ${excerpt(d.name, 120)} added (sha256 ${text(d.sha256).slice(0, 12)}…, custodian ${text(d.custodian)})`;
    case 'evidence_downloaded':
      return `evidence ${text(d.evidenceId)} downloaded${d.reason ? `: ${excerpt(d.reason)}` : ''}`;
    case 'evidence_transferred':
      return `evidence ${text(d.evidenceId)} handed from ${text(d.from)} to ${text(d.to)}: ${excerpt(d.reason)}`;
    case 'evidence_disposed':
      return `evidence ${text(d.evidenceId)} disposed of: ${excerpt(d.reason)}`;
    case 'evidence_integrity_failed':
      return `evidence ${text(d.evidenceId)} no longer matches its hash`;
    case 'incident_linked':
      return `${text(d.relation)} ${text(d.incidentId)}`;
    case 'incident_merged':
      return d.into ? `merged into ${text(d.into)}` : `${text(d.from)} merged into this incident`;
    case 'assigned':
      return `assigned to ${text(d.assignee) || 'nobody'}`;
    case 'work_logged':
      return `${text(d.minutes)} min of work logged${d.note ? `: ${excerpt(d.note)}` : ''}`;
    case 'sla_breached':
    case 'sla_escalated':
      return `${type === 'sla_breached' ? 'SLA breached' : `SLA escalated to level ${text(d.level)}`}: ${text(d.clock)}`;
    case 'priority_changed':
      return `priority ${text(d.from)} → ${text(d.to)}`;
    default:
      if (type.startsWith('note_')) return noteSummary(type, d, mayReadNote({ visibility: (d.visibility as NoteVisibility) ?? 'team', author: text(d.author) || actor }, reader));
      return type.replace(/_/g, ' ') + (d.event ? `: ${text(d.event)}` : d.kind ? `: ${text(d.kind)}` : '');
  }
}

/** One page of the timeline after `afterSeq`, oldest first; `nextAfter` continues it. */
export async function incidentTimeline(db: Database, incidentId: string, reader: Reader, page: { afterSeq?: number; limit: number }): Promise<{ entries: TimelineEntry[]; nextAfter: number | null }> {
  const rows = await db
    .select({ seq: incidentEvents.seq, at: incidentEvents.at, type: incidentEvents.type, actor: incidentEvents.actor, from: incidentEvents.from, to: incidentEvents.to, data: incidentEvents.data })
    .from(incidentEvents)
    .where(and(eq(incidentEvents.incidentId, incidentId), gt(incidentEvents.seq, page.afterSeq ?? 0)))
    .orderBy(asc(incidentEvents.seq))
    .limit(page.limit + 1);
  const entries = rows.slice(0, page.limit).map((r) => ({
    seq: r.seq,
    at: r.at.toISOString(),
    kind: kindOf(r.type),
    type: r.type,
    actor: r.actor,
    summary: summaryOf(r.type, r.from, r.to, (r.data ?? {}) as Data, reader, r.actor),
  }));
  return { entries, nextAfter: rows.length > page.limit ? entries.at(-1)!.seq : null };
}
