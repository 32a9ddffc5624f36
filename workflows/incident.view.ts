/** The incident as it leaves the workflow: the view (query, update answers) and the projection (database). */
import type { PendingApproval } from '../machines/approval.js';
import type { IncidentProjection, IncidentView } from '../machines/incident.types.js';
import { stageOfSnapshot, type LifecycleSnapshot } from '../machines/lifecycle.machine.js';
import { allowedEvents } from '../machines/procedure.js';
import type { SlaClock, SlaClockView } from '../machines/sla.js';
import type { IncidentKnowledge } from './incident.knowledge.js';
import type { CaseTaskView } from './incident.casework.js';
import type { CaseLink } from '../machines/casework.js';
import type { IncidentWorkflowInput } from './incident.messages.js';

export interface IncidentTimes {
  createdAt: string;
  updatedAt: string;
  /** When the incident entered its current stage. */
  stageSince: string;
}

export function incidentView(
  input: IncidentWorkflowInput,
  snapshot: LifecycleSnapshot,
  knowledge: IncidentKnowledge,
  times: IncidentTimes,
  pending: PendingApproval[],
  sla: SlaClockView[],
  assignee: string | null,
  tasks: CaseTaskView[],
  links: CaseLink[],
): IncidentView {
  const { playbook } = input;
  const stage = stageOfSnapshot(snapshot);
  return {
    id: input.incidentId,
    title: input.opening.title,
    stage,
    severity: knowledge.severity,
    priority: knowledge.priorityReason.priority,
    playbook: { id: playbook.id, version: playbook.version },
    alertCount: knowledge.alertCount,
    allowedEvents: allowedEvents(playbook.document, stage),
    fields: snapshot.context.fields,
    // Copies: a pending request changes later, a recorded view must not.
    pendingApprovals: pending.map((p) => ({ ...p, granted: p.granted.map((g) => ({ ...g })) })),
    priorityReason: knowledge.priorityReason,
    context: knowledge.context,
    // Risk exceptions expire: judged at the incident's last change, in workflow time.
    flags: knowledge.flags(times.updatedAt),
    sla,
    assignee,
    effortMinutes: knowledge.effortMinutes,
    tasks,
    links,
    createdAt: times.createdAt,
    updatedAt: times.updatedAt,
  };
}

export function incidentProjection(
  input: IncidentWorkflowInput,
  snapshot: LifecycleSnapshot,
  view: IncidentView,
  times: IncidentTimes,
  clocks: SlaClock[],
): IncidentProjection {
  const open = !input.playbook.document.stages[view.stage]?.closed;
  return {
    ...view,
    description: input.opening.description ?? null,
    category: input.opening.category ?? null,
    correlationKey: input.opening.correlationKey ?? null,
    open,
    closedAt: open ? null : times.stageSince,
    milestones: snapshot.context.milestones,
    clocks,
  };
}
