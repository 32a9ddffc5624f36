/** The incident as the world sees it: the view, the projection and the audit step. Types only. */
import type { PendingApproval } from './approval.js';
import type { CaseLink, CaseTask } from './casework.js';
import type { ContextFlags } from './context.merge.js';
import type { IncidentContext } from './context.types.js';
import type { LifecycleEffect } from './lifecycle.machine.js';
import type { PriorityReason } from './priority.js';
import type { SlaClock, SlaClockView } from './sla.js';
import type { Milestone, Priority, Severity } from './playbook.types.js';
import type { Fields, JsonValue } from './procedure.js';

/** The incident view: `GET /v1/incidents/:id` and a 200 from a transition answer this. */
export interface IncidentView {
  id: string;
  title: string;
  stage: string;
  severity: Severity;
  priority: Priority;
  playbook: { id: string; version: number };
  alertCount: number;
  allowedEvents: string[];
  fields: Fields;
  /** Transitions waiting for approvals (two-person rule). */
  pendingApprovals: PendingApproval[];
  /** Why the priority is what it is: the matrix cell and its inputs. */
  priorityReason: PriorityReason;
  /** What context sources know of the incident, each finding with its provenance. */
  context: IncidentContext;
  flags: ContextFlags;
  /** Running and paused SLA clocks. */
  sla: SlaClockView[];
  assignee: string | null;
  /** Work logged, in minutes. */
  effortMinutes: number;
  /** The incident's tasks, in the order they were created; `overdue` at the view's instant. */
  tasks: Array<CaseTask & { overdue: boolean }>;
  /** Incidents this one is linked to, merges included. */
  links: CaseLink[];
  createdAt: string;
  updatedAt: string;
}

/** What the persistence activity writes to the `incidents` read model. */
export interface IncidentProjection extends IncidentView {
  description: string | null;
  category: string | null;
  correlationKey: string | null;
  open: boolean;
  closedAt: string | null;
  milestones: Partial<Record<Milestone, string>>;
  /** The raw clocks, so readers can compute elapsed time at their own now. */
  clocks: SlaClock[];
}

export const AUDIT_EVENT_TYPES = [
  'incident_opened',
  'alert_received',
  'transitioned',
  'priority_changed',
  'approval_requested',
  'approval_granted',
  'approval_rejected',
  'approval_withdrawn',
  'context_gathered',
  'enrichment_failed',
  'sla_armed',
  'sla_paused',
  'sla_resumed',
  'sla_stopped',
  'sla_retargeted',
  'sla_escalated',
  'sla_breached',
  'notification_delivered',
  'notification_failed',
  'assigned',
  'work_logged',
  'recording_failed',
  'alert_rerouted',
  'note_added',
  'note_edited',
  'note_deleted',
  'risk_exception_ended',
  'task_created',
  'task_updated',
  'evidence_added',
  'evidence_downloaded',
  'evidence_transferred',
  'evidence_disposed',
  'evidence_integrity_failed',
  'observable_added',
  'incident_linked',
  'incident_merged',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** An audit event as the log holds it (its chain fields aside). */
export interface AuditEvent {
  seq: number;
  at: string;
  type: string;
  actor: string;
  from: string | null;
  to: string | null;
  data: unknown;
}

/** One accepted step of an incident: an audit event, the stage timings it moves, the projection after it. */
export interface IncidentStep {
  incidentId: string;
  seq: number;
  at: string;
  type: AuditEventType;
  actor: string;
  from: string | null;
  to: string | null;
  data: { [key: string]: JsonValue };
  effects: LifecycleEffect[];
  projection: IncidentProjection;
}
