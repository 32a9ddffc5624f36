/**
 * The gate of a lifecycle request: would the machine and the stage's procedure accept this event
 * now (approvals aside)? Asked by the update validator before anything is recorded. Plain.
 */
import type { LifecycleEvent, LifecycleSnapshot } from '../machines/lifecycle.machine.js';
import type { PlaybookDocument } from '../machines/playbook.types.js';
import { allowedEvents, findTransition, isProcedureMet, missingProcedure } from '../machines/procedure.js';
import type { EventNotAllowedDetails, LifecycleRequest, ProcedureNotMetDetails } from './incident.messages.js';

export type Verdict =
  | { allowed: true; needsApproval: boolean }
  | { allowed: false; reason: 'eventNotAllowed'; details: EventNotAllowedDetails }
  | { allowed: false; reason: 'procedureNotMet'; details: ProcedureNotMetDetails };

/** The machine event of a request. */
export function lifecycleEvent(request: LifecycleRequest & { approvedBy?: string[]; doneTasks?: string[] }, at: string): LifecycleEvent {
  const { event, actor, fields, checklist, comment, approvedBy, doneTasks } = request;
  return { type: event, actor, at, fields, checklist, comment, approvedBy, ...(doneTasks && doneTasks.length > 0 ? { doneTasks } : {}) };
}

/** `doneTasks`: the incident's tasks that are done, for gates that require some. */
export function judgeRequest(document: PlaybookDocument, stage: string, snapshot: LifecycleSnapshot, request: LifecycleRequest, doneTasks: string[] = []): Verdict {
  const notAllowed = { allowed: false, reason: 'eventNotAllowed', details: { event: request.event, stage, allowedEvents: allowedEvents(document, stage) } } as const;
  const definition = findTransition(document, stage, request.event);
  if (!definition) return notAllowed;
  const missing = missingProcedure(definition.requires, { known: snapshot.context.fields, given: request.fields, checklist: request.checklist, doneTasks });
  delete missing.approvals;
  if (!isProcedureMet(missing)) return { allowed: false, reason: 'procedureNotMet', details: { event: request.event, stage, missing } };
  const approvals = definition.requires?.approvals;
  // Ask the machine whether the event passes once approved: stand-in approvers fill the quorum.
  const approvedBy = approvals ? Array.from({ length: approvals.count }, (_, i) => `approver-${i}`) : undefined;
  if (!snapshot.can(lifecycleEvent({ ...request, approvedBy, doneTasks }, ''))) return notAllowed;
  return { allowed: true, needsApproval: Boolean(approvals) };
}
