/**
 * The incident's state and logic inside the workflow: a plain object with no Temporal imports,
 * so it is deterministic and testable on its own. It drives the lifecycle machine through
 * XState's pure functions, keeps approval requests, asks for context on entering a stage, and
 * queues every accepted step for the persistence activity.
 */
import { initialTransition, transition } from 'xstate';
import type { AlertReceived } from '../machines/alert.js';
import { judgeApproval, quorumReached, type ApprovalDecision, type ApprovalVerdict, type PendingApproval } from '../machines/approval.js';
import { emptySubject, type Subject } from '../machines/context.merge.js';
import type { Finding, LookupFacts } from '../machines/context.types.js';
import type { AuditEventType, IncidentStep, IncidentView } from '../machines/incident.types.js';
import { buildLifecycleMachine, effectsOf, stageOfSnapshot, type LifecycleEffect, type LifecycleMachine, type LifecycleSnapshot } from '../machines/lifecycle.machine.js';
import type { ContextKind } from '../machines/playbook.types.js';
import { allowedEvents, findTransition, isProcedureMet, missingProcedure, type JsonValue } from '../machines/procedure.js';
import { IncidentKnowledge, type StepDraft } from './incident.knowledge.js';
import { incidentProjection, incidentView, type IncidentTimes } from './incident.view.js';
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

/** Context to gather: on entering a stage, the whole subject; for a joining alert, what it adds. */
export interface EnrichmentRequest {
  kinds: ContextKind[];
  scope: 'subject' | Subject;
}

type StepData = IncidentStep['data'];

export class IncidentLifecycle {
  private readonly machine: LifecycleMachine;
  private snapshot: LifecycleSnapshot;
  private readonly outbox: IncidentStep[] = [];
  private readonly pending: Map<string, PendingApproval>;
  private readonly knowledge: IncidentKnowledge;
  private readonly times: IncidentTimes;
  private enrichment: EnrichmentRequest[];
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
      this.pending = new Map(carried.pendingApprovals.map((p) => [p.event, p]));
      this.knowledge = new IncidentKnowledge(input.playbook, carried.knowledge);
      this.times = { ...carried.times };
      this.enrichment = carried.enrichment;
      return;
    }
    const [snapshot, actions] = initialTransition(this.machine, { at: now });
    this.snapshot = snapshot;
    this.seq = this.recordedSeq = 0;
    this.pending = new Map();
    this.enrichment = [];
    const { opening, playbook } = input;
    this.knowledge = new IncidentKnowledge(playbook, {
      severity: opening.severity,
      subject: opening.subject ?? emptySubject(),
      detectedAt: opening.detectedAt ?? now,
      now,
    });
    this.times = { createdAt: now, updatedAt: now, stageSince: now };
    const effects = effectsOf(actions);
    this.queue('incident_opened', now, opening.openedBy, null, this.stage, effects, {
      title: opening.title,
      severity: opening.severity,
      priority: this.knowledge.priorityReason.priority,
      playbook: { id: playbook.id, version: playbook.version, hash: playbook.hash },
      ...(opening.correlationKey ? { correlationKey: opening.correlationKey } : {}),
    });
    this.askForContext(effects);
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
    const missing = missingProcedure(definition.requires, { known: this.snapshot.context.fields, given: request.fields, checklist: request.checklist });
    delete missing.approvals;
    if (!isProcedureMet(missing)) return { allowed: false, reason: 'procedureNotMet', details: { event: request.event, stage, missing } };
    const approvals = definition.requires?.approvals;
    // Ask the machine whether the event passes once approved: stand-in approvers fill the quorum.
    const approvedBy = approvals ? Array.from({ length: approvals.count }, (_, i) => `approver-${i}`) : undefined;
    if (!this.snapshot.can(this.eventFor({ ...request, approvedBy }, ''))) return notAllowed;
    return { allowed: true, needsApproval: Boolean(approvals) };
  }

  /** Applies an event the validator accepted, or opens its approval request. */
  request(request: LifecycleRequest, now: string): RequestOutcome {
    const approvals = findTransition(this.input.playbook.document, this.stage, request.event)?.requires?.approvals;
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
    const { event, requestedBy, required } = pending;
    const seq = this.queue('approval_granted', now, decision.actor, null, null, [], { event, requestedBy, granted: pending.granted.length, required, ...note });
    if (!quorumReached(pending)) return { seq, pendingApproval: pending };
    this.pending.delete(decision.event);
    const { fields, checklist, comment } = pending;
    return { seq: this.apply({ event, actor: requestedBy, fields, checklist, comment }, now, pending.granted.map((g) => g.by)) };
  }

  /** Adds an alert (a re-sent one is ignored); what it newly names is looked up in context. */
  receiveAlert(alert: AlertReceived, now: string): void {
    const { steps, fresh } = this.knowledge.addAlert(alert, now);
    this.queueDrafts(steps, now);
    const kinds = this.stageEnrich();
    const covered = this.enrichment.some((r) => r.scope === 'subject');
    if (fresh && kinds.length > 0 && !covered) this.enrichment.push({ kinds, scope: fresh });
  }

  /** Takes the context lookups to run now, each with the facts it asks about. */
  takeEnrichment(): Array<{ kind: ContextKind; facts: LookupFacts }> {
    const requests = this.enrichment;
    this.enrichment = [];
    return requests.flatMap((r) => {
      const facts = this.knowledge.facts(this.input.incidentId, r.scope === 'subject' ? undefined : r.scope);
      return r.kinds.map((kind) => ({ kind, facts }));
    });
  }

  hasEnrichment(): boolean {
    return this.enrichment.length > 0;
  }

  contextGathered(kind: ContextKind, findings: Finding[], now: string): void {
    this.queueDrafts(this.knowledge.addFindings(kind, findings, `context:${kind}`, now), now);
  }

  /** A source failed or timed out: recorded, never blocking the lifecycle. */
  enrichmentFailed(kind: ContextKind, reason: string, now: string): void {
    this.queue('enrichment_failed', now, `context:${kind}`, null, null, [], { kind, reason });
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
    return incidentView(this.input, this.snapshot, this.knowledge, this.times, [...this.pending.values()]);
  }

  carry(): CarriedIncident {
    return {
      stage: this.stage,
      context: this.snapshot.context,
      seq: this.seq,
      pendingApprovals: [...this.pending.values()],
      knowledge: this.knowledge.carry(),
      times: { ...this.times },
      enrichment: this.enrichment,
    };
  }

  private stageEnrich(stage = this.stage): ContextKind[] {
    return this.input.playbook.document.stages[stage]?.enrich ?? [];
  }

  private askForContext(effects: LifecycleEffect[]): void {
    for (const effect of effects) {
      if (effect.type !== 'stageEntered') continue;
      const kinds = this.stageEnrich(effect.params.stage);
      if (kinds.length > 0) this.enrichment = [{ kinds, scope: 'subject' }];
    }
  }

  private apply(request: LifecycleRequest, now: string, approvedBy?: string[]): number {
    const from = this.stage;
    const [next, actions] = transition(this.machine, this.snapshot, this.eventFor({ ...request, approvedBy }, now));
    if (next === this.snapshot) throw new Error(`event ${request.event} changed nothing in stage ${from}`);
    this.snapshot = next;
    this.times.stageSince = now;
    const data: Record<string, JsonValue> = { event: request.event };
    if (request.fields && Object.keys(request.fields).length > 0) data.fields = request.fields;
    if (request.checklist && request.checklist.length > 0) data.checklist = request.checklist;
    if (request.comment) data.comment = request.comment;
    if (approvedBy) data.approvedBy = approvedBy;
    const effects = effectsOf(actions);
    const seq = this.queue('transitioned', now, request.actor, from, this.stage, effects, data);
    for (const stale of [...this.pending.values()].filter((p) => p.stage !== this.stage)) {
      this.pending.delete(stale.event);
      this.queue('approval_withdrawn', now, 'system', null, null, [], { event: stale.event, requestedBy: stale.requestedBy, reason: `stage ${stale.stage} was left` });
    }
    this.askForContext(effects);
    return seq;
  }

  private eventFor(request: LifecycleRequest & { approvedBy?: string[] }, at: string) {
    const { event, actor, fields, checklist, comment, approvedBy } = request;
    return { type: event, actor, at, fields, checklist, comment, approvedBy };
  }

  private queueDrafts(drafts: StepDraft[], now: string): void {
    for (const draft of drafts) this.queue(draft.type, now, draft.actor, null, null, [], draft.data);
  }

  private queue(type: AuditEventType, at: string, actor: string, from: string | null, to: string | null, effects: IncidentStep['effects'], data: StepData): number {
    this.seq += 1;
    this.times.updatedAt = at;
    const projection = incidentProjection(this.input, this.snapshot, this.knowledge, this.times, [...this.pending.values()]);
    this.outbox.push({ incidentId: this.input.incidentId, seq: this.seq, at, type, actor, from, to, data, effects, projection });
    return this.seq;
  }
}
