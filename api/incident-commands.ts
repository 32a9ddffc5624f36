/**
 * Commands that change an incident go to its workflow: opening one reported by a person, and
 * lifecycle events as Temporal Updates. Rejections the workflow's validator raises come back as
 * typed failures and are turned into 409 / 422 problems here, by failure type.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, isGrpcDeadlineError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { ApprovalDecision } from '../machines/approval.js';
import type { Subject } from '../machines/context.merge.js';
import type { IncidentView } from '../machines/incident.types.js';
import type { PinnedPlaybook, Severity } from '../machines/playbook.types.js';
import {
  IDEMPOTENT_UPDATE_PREFIX,
  INCIDENT_WORKFLOW_TYPE,
  REJECTION,
  applyEventUpdate,
  assignUpdate,
  caseNoteUpdate,
  caseTaskUpdate,
  caseEvidenceUpdate,
  caseObservableUpdate,
  caseLinkUpdate,
  decideApprovalUpdate,
  logWorkUpdate,
  incidentViewQuery,
  incidentWorkflowId,
  recordedViewUpdate,
  type EventNotAllowedDetails,
  type AssignRequest,
  type WorkLogRequest,
  type NoteRequest,
  type TaskRequest,
  type EvidenceRequest,
  type ObservableRequest,
  type LinkRequest,
  type IncidentWorkflow,
  type LifecycleOutcome,
  type LifecycleRequest,
  type ProcedureNotMetDetails,
} from '../workflows/incident.messages.js';
import { ProblemError, problems } from './problem.js';

export interface ReportedIncident {
  incidentId: string;
  title: string;
  severity: Severity;
  description?: string;
  category?: string;
  playbook: PinnedPlaybook;
  openedBy: string;
  detectedAt?: string;
  subject?: Subject;
  normalised?: string[];
}

/** The problem slugs of a stage's gate refusing an event: not allowed here, or procedure not met. */
const GATE_REFUSALS = { eventNotAllowed: 'event-not-allowed', procedureNotMet: 'procedure-not-met' } as const;

/** Did a stage's gate refuse the attempt (409/422)? Such attempts never reach the workflow's history. */
export function isGateRefusal(error: unknown): boolean {
  return error instanceof ProblemError && Object.values<string>(GATE_REFUSALS).includes(error.slug);
}

/** The problem of a decision by someone no playbook (or not this one) lets approve. */
export const NOT_AN_APPROVER = [403, 'approver-role-missing', 'Not an approver for this transition'] as const;

function rejectionProblem(error: unknown): Error {
  if (error instanceof WorkflowNotFoundError) return problems.notFound('no such incident');
  if (!(error instanceof WorkflowUpdateFailedError) || !(error.cause instanceof ApplicationFailure)) return error as Error;
  const failure = error.cause;
  if (failure.type === REJECTION.eventNotAllowed) {
    const details = failure.details?.[0] as EventNotAllowedDetails;
    return problems.conflict(GATE_REFUSALS.eventNotAllowed, 'Event not allowed in this stage', failure.message, {
      event: details.event,
      stage: details.stage,
      allowedEvents: details.allowedEvents,
    });
  }
  if (failure.type === REJECTION.procedureNotMet) {
    const details = failure.details?.[0] as ProcedureNotMetDetails;
    return problems.unprocessable(GATE_REFUSALS.procedureNotMet, 'Procedure not met', failure.message, {
      event: details.event,
      stage: details.stage,
      missing: details.missing,
    });
  }
  const approvalProblems: Record<string, readonly [number, string, string]> = {
    [REJECTION.selfApproval]: [403, 'self-approval', 'Two-person rule: the requester may not decide'],
    [REJECTION.approverRoleMissing]: NOT_AN_APPROVER,
    [REJECTION.noPendingApproval]: [409, 'no-pending-approval', 'No approval pending'],
    [REJECTION.alreadyDecided]: [409, 'already-decided', 'Already approved by this approver'],
    [REJECTION.noteNotFound]: [404, 'not-found', 'No such note'],
    [REJECTION.noteExists]: [409, 'note-exists', 'The note exists'],
    [REJECTION.notNoteAuthor]: [403, 'not-note-author', 'Only the author or an admin may change a note'],
    [REJECTION.taskNotFound]: [404, 'not-found', 'No such task'],
    [REJECTION.taskExists]: [409, 'task-exists', 'The task exists'],
    [REJECTION.taskRequiredByApproval]: [409, 'task-required-by-approval', 'A pending approval requires this task'],
    [REJECTION.evidenceNotFound]: [404, 'not-found', 'No such evidence'],
    [REJECTION.evidenceExists]: [409, 'evidence-exists', 'The evidence exists'],
    [REJECTION.evidenceDisposed]: [410, 'evidence-disposed', 'The evidence was disposed of'],
    [REJECTION.alreadyInCustody]: [409, 'already-in-custody', 'Already in that custody'],
    [REJECTION.incidentClosed]: [409, 'incident-closed', 'The incident is closed'],
  };
  const known = failure.type ? approvalProblems[failure.type] : undefined;
  if (known) {
    const [status, slug, title] = known;
    const event = (failure.details?.[0] as { event?: string } | undefined)?.event;
    return new ProblemError(status, slug, title, failure.message, event ? { event } : undefined);
  }
  return error;
}

/** How long a command waits for its incident's answer before a 503 (the workflow keeps the request). */
export const DEFAULT_UPDATE_DEADLINE_MS = 15_000;

function notAnsweredInTime(deadlineMs: number): ProblemError {
  return problems.unavailable(
    `the incident did not answer within ${deadlineMs / 1000} s (the database or the workers are slow or down); ` +
      'retry with the same Idempotency-Key to get the first answer without applying the request twice',
  );
}

export function createIncidentCommands(deps: { temporal: Client; taskQueue: string; updateDeadlineMs?: number }) {
  const { temporal, taskQueue } = deps;
  const deadlineMs = deps.updateDeadlineMs ?? DEFAULT_UPDATE_DEADLINE_MS;
  /** Runs a call that waits for the workflow, bounded by the deadline. */
  async function withinDeadline<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await temporal.withDeadline(Date.now() + deadlineMs, call);
    } catch (error) {
      if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcDeadlineError(error)) throw notAnsweredInTime(deadlineMs);
      throw error;
    }
  }

  /** Starts the incident's workflow and answers its view once the opening step is recorded. */
  async function openIncident(incident: ReportedIncident): Promise<{ view: IncidentView; created: boolean }> {
    const workflowId = incidentWorkflowId(incident.incidentId);
    let created = true;
    try {
      await temporal.workflow.start<IncidentWorkflow>(INCIDENT_WORKFLOW_TYPE, {
        workflowId,
        taskQueue,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [
          {
            incidentId: incident.incidentId,
            playbook: incident.playbook,
            opening: {
              title: incident.title,
              severity: incident.severity,
              ...(incident.description ? { description: incident.description } : {}),
              ...(incident.category ? { category: incident.category } : {}),
              openedBy: incident.openedBy,
              ...(incident.detectedAt ? { detectedAt: incident.detectedAt } : {}),
              ...(incident.subject ? { subject: incident.subject } : {}),
              ...(incident.normalised?.length ? { normalised: incident.normalised } : {}),
            },
          },
        ],
      });
    } catch (error) {
      // Only reached with an idempotency key: the same request was made before.
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      created = false;
    }
    const view = await withinDeadline(() => temporal.workflow.getHandle(workflowId).executeUpdate(recordedViewUpdate));
    return { view, created };
  }

  /** Sends an update; an idempotency key from the same actor makes a retry return the first answer. */
  async function update<Arg>(
    incidentId: string,
    definition: UpdateDefinition<LifecycleOutcome, [Arg]>,
    arg: Arg & { actor: string },
    idempotencyKey?: string,
  ): Promise<LifecycleOutcome> {
    const handle = temporal.workflow.getHandle(incidentWorkflowId(incidentId));
    try {
      return await withinDeadline(() =>
        handle.executeUpdate(definition, {
          args: [arg],
          updateId: idempotencyKey ? `${IDEMPOTENT_UPDATE_PREFIX}${definition.name}:${arg.actor}:${idempotencyKey}` : randomUUID(),
        }),
      );
    } catch (error) {
      throw rejectionProblem(error);
    }
  }

  const applyEvent = (incidentId: string, request: LifecycleRequest, idempotencyKey?: string) => update(incidentId, applyEventUpdate, request, idempotencyKey);
  const assign = (incidentId: string, request: AssignRequest, idempotencyKey?: string) => update(incidentId, assignUpdate, request, idempotencyKey);
  const logWork = (incidentId: string, request: WorkLogRequest, idempotencyKey?: string) => update(incidentId, logWorkUpdate, request, idempotencyKey);
  // Case-work keys are scoped to what the request does and to which record: the same key on
  // another note, task or item, or for another kind of change, is another request.
  const scoped = (key: string | undefined, op: string, record: string) => (key ? `${op}:${record}:${key}` : undefined);
  const note = (incidentId: string, request: NoteRequest, idempotencyKey?: string) => update(incidentId, caseNoteUpdate, request, scoped(idempotencyKey, request.op, request.noteId));
  const task = (incidentId: string, request: TaskRequest, idempotencyKey?: string) => update(incidentId, caseTaskUpdate, request, scoped(idempotencyKey, request.op, request.taskId));
  const evidence = (incidentId: string, request: EvidenceRequest, idempotencyKey?: string) =>
    update(incidentId, caseEvidenceUpdate, request, scoped(idempotencyKey, request.op, request.evidenceId));
  const observe = (incidentId: string, request: ObservableRequest, idempotencyKey?: string) => update(incidentId, caseObservableUpdate, request, idempotencyKey);
  const link = (incidentId: string, request: LinkRequest) => update(incidentId, caseLinkUpdate, request);
  const decideApproval = (incidentId: string, decision: ApprovalDecision, idempotencyKey?: string) =>
    update(incidentId, decideApprovalUpdate, decision, idempotencyKey);

  /**
   * The view straight from the workflow, for an incident accepted a moment ago whose projection
   * is not written yet; undefined when there is no such incident.
   */
  async function liveView(incidentId: string): Promise<IncidentView | undefined> {
    try {
      return await temporal.workflow.getHandle(incidentWorkflowId(incidentId)).query(incidentViewQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return undefined;
      throw error;
    }
  }

  /** The workflow's event history in Temporal's JSON form (all runs of continue-as-new: the current one). */
  /** One run's history (the latest without `runId`); 404 for an incident with no workflow. */
  async function fetchRun(incidentId: string, runId?: string) {
    try {
      return await temporal.workflow.getHandle(incidentWorkflowId(incidentId), runId).fetchHistory();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw problems.notFound('no such incident');
      throw error;
    }
  }

  async function workflowHistory(incidentId: string): Promise<unknown> {
    return JSON.parse(historyToJSON(await fetchRun(incidentId))) as unknown;
  }

  /** The histories of every run of the incident's workflow, oldest first (continue-as-new links them). */
  async function workflowRuns(incidentId: string, maxRuns = 10_000): Promise<unknown[]> {
    const runs: unknown[] = [];
    let runId: string | undefined;
    do {
      const history = await fetchRun(incidentId, runId);
      runs.unshift(JSON.parse(historyToJSON(history)) as unknown);
      const previous = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
      runId = previous || undefined;
    } while (runId && runs.length < maxRuns);
    return runs;
  }

  return { openIncident, applyEvent, decideApproval, assign, logWork, note, task, evidence, observe, link, liveView, workflowHistory, workflowRuns };
}

export type IncidentCommands = ReturnType<typeof createIncidentCommands>;
