/**
 * The incident's state and logic inside the workflow: a plain object with no Temporal imports,
 * so it is deterministic and testable on its own. It drives the lifecycle machine through
 * XState's pure functions, keeps approval requests, and queues every accepted step for the
 * persistence activity.
 */
import { initialTransition, transition } from 'xstate';
import type { AlertReceived } from '../machines/alert.js';
import { judgeApproval, quorumReached, type ApprovalDecision, type ApprovalVerdict, type PendingApproval } from '../machines/approval.js';
import type { AuditEventType, IncidentStep, IncidentView } from '../machines/incident.types.js';
import { buildLifecycleMachine, effectsOf, stageOfSnapshot, type LifecycleMachine, type LifecycleSnapshot } from '../machines/lifecycle.machine.js';
import type { Priority, Severity } from '../machines/playbook.types.js';
import { allowedEvents, findTransition, isProcedureMet, missingProcedure, type JsonValue } from '../machines/procedure.js';
import { DEFAULT_IMPACT, highestSeverity, priorityFor } from '../machines/severity.js';
import { incidentProjection, incidentView, type IncidentFacts } from './incident.view.js';
import type { CarriedIncident, EventNotAllowedDetails, IncidentWorkflowInput, LifecycleRequest, ProcedureNotMetDetails } from './incident.messages.js';

export type Verdict =
  | { allowed: true; needsApproval: boolean }
  | { allowed: false; reason: 'eventNotAllowed'; details: EventNotAllowedDetails }
  | { allowed: false; reason: 'procedureNotMet'; details: ProcedureNotMetDetails };

/** What a request led to: a transition, or a pending approval (`seq` is the step to wait for). */
export interface RequestOutcome {
  seq: number;
  pendingApproval?: PendingApproval;
}

type StepData = IncidentStep['data'];

export class IncidentLifecycle {
  private readonly machine: LifecycleMachine;
  private snapshot: LifecycleSnapshot;
  private readonly outbox: IncidentStep[] = [];
  private readonly alertIds: Set<string>;
  private readonly pending: Map<string, PendingApproval>;
  private readonly facts: IncidentFacts;
  private seq: number;
  /** The highest seq the persistence activity has recorded. */
  recordedSeq: number;

  constructor(
    private readonly input: IncidentWorkflowInput,
    now: string,
  ) {
    this.machine = buildLifecycleMachine(input.playbook.document);
    const carried = input.carried;
    if (carried) {
      this.snapshot = this.machine.resolveState({ value: carried.stage, context: carried.context });
      this.seq = this.recordedSeq = carried.seq;
      this.alertIds = new Set(carried.alertIds);
      this.pending = new Map(carried.pendingApprovals.map((p) => [p.event, p]));
      this.facts = { ...carried };
      return;
    }
    const [snapshot, actions] = initialTransition(this.machine, { at: now });
    this.snapshot = snapshot;
    this.seq = this.recordedSeq = 0;
    this.alertIds = new Set();
    this.pending = new Map();
    const severity = input.opening.severity;
    this.facts = { alertCount: 0, severity, priority: this.priorityFor(severity), createdAt: now, updatedAt: now, stageSince: now };
    const { opening, playbook } = input;
    this.queue('incident_opened', now, opening.openedBy, null, this.stage, effectsOf(actions), {
      title: opening.title,
      severity,
      priority: this.facts.priority,
      playbook: { id: playbook.id, version: playbook.version, hash: playbook.hash },
      ...(opening.correlationKey ? { correlationKey: opening.correlationKey } : {}),
    });
  }

  get stage(): string {
    return stageOfSnapshot(this.snapshot);
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Would the machine and the stage's procedure accept this event now (approvals aside)? */
  judge(request: LifecycleRequest): Verdict {
    const { document } = this.input.playbook;
    const stage = this.stage;
    const notAllowed = { allowed: false, reason: 'eventNotAllowed', details: { event: request.event, stage, allowedEvents: allowedEvents(document, stage) } } as const;
    const definition = findTransition(document, stage, request.event);
    if (!definition) return notAllowed;
    const given = { known: this.snapshot.context.fields, given: request.fields, checklist: request.checklist };
    const missing = missingProcedure(definition.requires, given);
    delete missing.approvals;
    if (!isProcedureMet(missing)) return { allowed: false, reason: 'procedureNotMet', details: { event: request.event, stage, missing } };
    const approvals = definition.requires?.approvals;
    const approvedBy = approvals ? Array.from({ length: approvals.count }, (_, i) => `approver-${i}`) : undefined;
    if (!this.snapshot.can(this.eventFor({ ...request, approvedBy }, ''))) return notAllowed;
    return { allowed: true, needsApproval: Boolean(approvals) };
  }

  /** Applies an event the validator accepted, or opens its approval request. */
  request(request: LifecycleRequest, now: string): RequestOutcome {
    const definition = findTransition(this.input.playbook.document, this.stage, request.event);
    const approvals = definition?.requires?.approvals;
    if (!approvals) return { seq: this.apply(request, now) };
    const open = this.pending.get(request.event);
    if (open) return { seq: this.seq, pendingApproval: open };
    const pendingApproval: PendingApproval = {
      event: request.event,
      stage: this.stage,
      requestedBy: request.actor,
      requestedAt: now,
      required: approvals.count,
      roles: approvals.roles,
      granted: [],
      ...(request.fields ? { fields: request.fields } : {}),
      ...(request.checklist ? { checklist: request.checklist } : {}),
      ...(request.comment ? { comment: request.comment } : {}),
    };
    this.pending.set(request.event, pendingApproval);
    const { granted: _granted, stage: _stage, ...data } = pendingApproval;
    return { seq: this.queue('approval_requested', now, request.actor, null, null, [], data as StepData), pendingApproval };
  }

  judgeDecision(decision: ApprovalDecision): ApprovalVerdict {
    return judgeApproval(this.pending.get(decision.event), decision);
  }

  /** Records an approval or a rejection; the approval that completes the quorum transitions. */
  decide(decision: ApprovalDecision, now: string): RequestOutcome {
    const pending = this.pending.get(decision.event)!;
    const note: StepData = decision.comment ? { comment: decision.comment } : {};
    if (decision.decision === 'reject') {
      this.pending.delete(decision.event);
      return { seq: this.queue('approval_rejected', now, decision.actor, null, null, [], { event: decision.event, requestedBy: pending.requestedBy, ...note }) };
    }
    pending.granted.push({ by: decision.actor, at: now, ...(decision.comment ? { comment: decision.comment } : {}) });
    const seq = this.queue('approval_granted', now, decision.actor, null, null, [], {
      event: decision.event,
      requestedBy: pending.requestedBy,
      granted: pending.granted.length,
      required: pending.required,
      ...note,
    });
    if (!quorumReached(pending)) return { seq, pendingApproval: pending };
    this.pending.delete(decision.event);
    const { event, requestedBy: actor, fields, checklist, comment } = pending;
    return { seq: this.apply({ event, actor, fields, checklist, comment }, now, pending.granted.map((g) => g.by)) };
  }

  /** Adds an alert; a re-sent alert (same id) is ignored. */
  receiveAlert(alert: AlertReceived, now: string): void {
    if (this.alertIds.has(alert.alertId)) return;
    this.alertIds.add(alert.alertId);
    this.facts.alertCount += 1;
    const before = { severity: this.facts.severity, priority: this.facts.priority };
    this.facts.severity = highestSeverity(before.severity, alert.severity);
    this.facts.priority = this.priorityFor(this.facts.severity);
    const { alertId, source, sourceId, title, severity, ruleId } = alert;
    this.queue('alert_received', now, `source:${source}`, null, null, [], { alertId, source, sourceId, title, severity, ...(ruleId ? { ruleId } : {}) });
    if (before.priority !== this.facts.priority || before.severity !== this.facts.severity) {
      this.queue('priority_changed', now, 'system', null, null, [], {
        reason: 'alert severity',
        severity: { from: before.severity, to: this.facts.severity },
        priority: { from: before.priority, to: this.facts.priority },
      });
    }
  }

  hasPending(): boolean {
    return this.outbox.length > 0;
  }

  nextPending(): IncidentStep | undefined {
    return this.outbox[0];
  }

  markRecorded(seq: number): void {
    while (this.outbox.length > 0 && this.outbox[0]!.seq <= seq) this.outbox.shift();
    this.recordedSeq = Math.max(this.recordedSeq, seq);
  }

  view(): IncidentView {
    return incidentView(this.input, this.snapshot, this.facts, [...this.pending.values()]);
  }

  carry(): CarriedIncident {
    return {
      ...this.facts,
      stage: this.stage,
      context: this.snapshot.context,
      seq: this.seq,
      alertIds: [...this.alertIds],
      pendingApprovals: [...this.pending.values()],
    };
  }

  private apply(request: LifecycleRequest, now: string, approvedBy?: string[]): number {
    const from = this.stage;
    const [next, actions] = transition(this.machine, this.snapshot, this.eventFor({ ...request, approvedBy }, now));
    if (next === this.snapshot) throw new Error(`event ${request.event} changed nothing in stage ${from}`);
    this.snapshot = next;
    this.facts.stageSince = now;
    const data: Record<string, JsonValue> = { event: request.event };
    if (request.fields && Object.keys(request.fields).length > 0) data.fields = request.fields;
    if (request.checklist && request.checklist.length > 0) data.checklist = request.checklist;
    if (request.comment) data.comment = request.comment;
    if (approvedBy) data.approvedBy = approvedBy;
    const seq = this.queue('transitioned', now, request.actor, from, this.stage, effectsOf(actions), data);
    for (const stale of [...this.pending.values()].filter((p) => p.stage !== this.stage)) {
      this.pending.delete(stale.event);
      this.queue('approval_withdrawn', now, 'system', null, null, [], { event: stale.event, requestedBy: stale.requestedBy, reason: `stage ${stale.stage} was left` });
    }
    return seq;
  }

  private eventFor(request: LifecycleRequest & { approvedBy?: string[] }, at: string) {
    const { event, actor, fields, checklist, comment, approvedBy } = request;
    return { type: event, actor, at, fields, checklist, comment, approvedBy };
  }

  private priorityFor(severity: Severity): Priority {
    return this.input.playbook.document.priority?.fixed ?? priorityFor(DEFAULT_IMPACT, severity);
  }

  private queue(type: AuditEventType, at: string, actor: string, from: string | null, to: string | null, effects: IncidentStep['effects'], data: StepData): number {
    this.seq += 1;
    this.facts.updatedAt = at;
    const projection = incidentProjection(this.input, this.snapshot, this.facts, [...this.pending.values()]);
    this.outbox.push({ incidentId: this.input.incidentId, seq: this.seq, at, type, actor, from, to, data, effects, projection });
    return this.seq;
  }
}
