/** The incident as it leaves the workflow: the view (query, update answers) and the projection (database). */
import type { PendingApproval } from '../machines/approval.js';
import type { IncidentProjection, IncidentView } from '../machines/incident.types.js';
import { stageOfSnapshot, type LifecycleSnapshot } from '../machines/lifecycle.machine.js';
import type { Priority, Severity } from '../machines/playbook.types.js';
import { allowedEvents } from '../machines/procedure.js';
import type { IncidentWorkflowInput } from './incident.messages.js';

/** What the workflow knows of an incident beside the machine snapshot. */
export interface IncidentFacts {
  alertCount: number;
  severity: Severity;
  priority: Priority;
  createdAt: string;
  updatedAt: string;
  /** When the incident entered its current stage. */
  stageSince: string;
}

export function incidentView(input: IncidentWorkflowInput, snapshot: LifecycleSnapshot, facts: IncidentFacts, pending: PendingApproval[]): IncidentView {
  const { playbook } = input;
  const stage = stageOfSnapshot(snapshot);
  return {
    id: input.incidentId,
    title: input.opening.title,
    stage,
    severity: facts.severity,
    priority: facts.priority,
    playbook: { id: playbook.id, version: playbook.version },
    alertCount: facts.alertCount,
    allowedEvents: allowedEvents(playbook.document, stage),
    fields: snapshot.context.fields,
    // Copies: a pending request changes later, a recorded view must not.
    pendingApprovals: pending.map((p) => ({ ...p, granted: p.granted.map((g) => ({ ...g })) })),
    createdAt: facts.createdAt,
    updatedAt: facts.updatedAt,
  };
}

export function incidentProjection(input: IncidentWorkflowInput, snapshot: LifecycleSnapshot, facts: IncidentFacts, pending: PendingApproval[]): IncidentProjection {
  const view = incidentView(input, snapshot, facts, pending);
  const open = !input.playbook.document.stages[view.stage]?.closed;
  return {
    ...view,
    description: input.opening.description ?? null,
    category: input.opening.category ?? null,
    correlationKey: input.opening.correlationKey ?? null,
    open,
    closedAt: open ? null : facts.stageSince,
    milestones: snapshot.context.milestones,
  };
}
