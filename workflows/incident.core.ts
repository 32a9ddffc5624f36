/**
 * The incident inside the workflow, plain and deterministic (no Temporal imports): the lifecycle
 * machine through XState's pure functions, approvals, context, SLA clocks; every accepted step
 * goes to the outbox. Case work is added on top in incident.lifecycle.ts.
 */
import { initialTransition, transition } from 'xstate';
import type { AlertReceived } from '../machines/alert.js';
import type { ApprovalDecision, ApprovalVerdict, PendingApproval } from '../machines/approval.js';
import { emptySubject } from '../machines/context.merge.js';
import type { Finding, LookupFacts } from '../machines/context.types.js';
import type { AuditEventType, IncidentStep, IncidentView } from '../machines/incident.types.js';
import { buildLifecycleMachine, effectsOf, stageOfSnapshot, type LifecycleEffect, type LifecycleMachine, type LifecycleSnapshot } from '../machines/lifecycle.machine.js';
import type { ContextKind } from '../machines/playbook.types.js';
import { findTransition, type JsonValue } from '../machines/procedure.js';
import { ApprovalDesk } from './incident.approvals.js';
import { IncidentClocks, deliveryDraft, escalationNotifications, type DeliveryOutcome, type NotificationRequest } from './incident.clocks.js';
import { IncidentKnowledge, normalisedData, type StepDraft } from './incident.knowledge.js';
import { StepOutbox } from './incident.outbox.js';
import { CaseWork } from './incident.casework.js';
import { ClosedIncidentAlerts } from './incident.reroutes.js';
import { ContextRequests, type EnrichmentRequest } from './incident.context-requests.js';
import { incidentProjection, incidentView, type IncidentTimes } from './incident.view.js';
import { judgeRequest, lifecycleEvent, type Verdict } from './incident.gate.js';
import type { AssignRequest, CarriedIncident, IncidentWorkflowInput, LifecycleRequest, WorkLogRequest } from './incident.messages.js';
import { CURRENT_BEHAVIOUR, type IncidentPatches } from './incident.patches.js';

export type { Verdict };

/** What a request led to: a transition, or a pending approval (`seq` is the step to wait for). */
export interface RequestOutcome {
  seq: number;
  pendingApproval?: PendingApproval;
}

export type { EnrichmentRequest };

export class IncidentCore {
  private readonly machine: LifecycleMachine;
  protected snapshot: LifecycleSnapshot;
  protected readonly outbox: StepOutbox;
  protected readonly approvals: ApprovalDesk;
  protected readonly knowledge: IncidentKnowledge;
  protected readonly clocks: IncidentClocks;
  protected readonly times: IncidentTimes;
  protected readonly contextRequests: ContextRequests;
  private notifications: NotificationRequest[] = [];
  private readonly closedAlerts: ClosedIncidentAlerts;
  protected readonly casework: CaseWork;
  private assignee: string | null;

  constructor(
    protected readonly input: IncidentWorkflowInput,
    now: string,
    private readonly patches: IncidentPatches = CURRENT_BEHAVIOUR,
  ) {
    this.machine = buildLifecycleMachine(input.playbook.document);
    const carried = input.carried;
    this.outbox = new StepOutbox(carried?.seq ?? 0);
    this.clocks = new IncidentClocks(input.playbook, carried?.clocks, patches);
    this.assignee = carried?.assignee ?? null;
    this.approvals = new ApprovalDesk(carried?.pendingApprovals ?? [], patches);
    this.contextRequests = new ContextRequests(input.playbook.document, carried?.enrichment);
    this.closedAlerts = new ClosedIncidentAlerts(carried?.reroutes);
    this.casework = new CaseWork(carried?.casework);
    if (carried) {
      this.snapshot = this.machine.resolveState({ value: carried.stage, context: carried.context });
      this.knowledge = new IncidentKnowledge(input.playbook, carried.knowledge, patches);
      this.times = { ...carried.times };
      return;
    }
    const [snapshot, actions] = initialTransition(this.machine, { at: now });
    this.snapshot = snapshot;
    const { opening, playbook } = input;
    this.knowledge = new IncidentKnowledge(playbook, {
      severity: opening.severity,
      subject: opening.subject ?? emptySubject(),
      detectedAt: opening.detectedAt ?? now,
      now,
    }, patches);
    this.times = { createdAt: now, updatedAt: now, stageSince: now };
    const effects = effectsOf(actions);
    this.queue('incident_opened', now, opening.openedBy, null, this.stage, effects, {
      title: opening.title,
      severity: opening.severity,
      priority: this.knowledge.priorityReason.priority,
      playbook: { id: playbook.id, version: playbook.version, hash: playbook.hash },
      ...(opening.correlationKey ? { correlationKey: opening.correlationKey } : {}),
      ...normalisedData(opening.normalised),
    });
    this.queueDrafts(this.clocks.open(this.knowledge.priorityReason.priority, this.knowledge.severity, now), now);
    this.queueDrafts(this.clocks.moved('', this.stage, false, this.knowledge.priorityReason.priority, this.knowledge.severity, now), now);
    this.stageEntered(effects, now);
  }

  get stage(): string {
    return stageOfSnapshot(this.snapshot);
  }

  get lastSeq(): number {
    return this.outbox.lastSeq;
  }

  get recordedSeq(): number {
    return this.outbox.recordedSeq;
  }

  /** Would the machine and the stage's procedure accept this event now (approvals aside)? */
  judge(request: LifecycleRequest): Verdict {
    return judgeRequest(this.input.playbook.document, this.stage, this.snapshot, request, this.casework.doneTasks());
  }

  /** Applies an event the validator accepted, or opens its approval request. */
  request(request: LifecycleRequest, now: string): RequestOutcome {
    const approvals = findTransition(this.input.playbook.document, this.stage, request.event)?.requires?.approvals;
    if (!approvals) return { seq: this.apply(request, now) };
    const { pending, draft } = this.approvals.open(request, this.stage, approvals, now);
    if (draft) this.queueDrafts([draft], now);
    return { seq: this.lastSeq, pendingApproval: pending };
  }

  /** The approval pending for an event, if it still is (a copy). */
  pendingApproval(event: string | undefined): PendingApproval | undefined {
    const pending = event ? this.approvals.list().find((p) => p.event === event) : undefined;
    return pending && { ...pending, granted: pending.granted.map((g) => ({ ...g })) };
  }

  judgeDecision(decision: ApprovalDecision): ApprovalVerdict {
    return this.approvals.judge(decision);
  }

  /** Records an approval or a rejection; the approval that completes the quorum transitions. */
  decide(decision: ApprovalDecision, now: string): RequestOutcome {
    const { draft, pending, approved } = this.approvals.decide(decision, now);
    this.queueDrafts([draft], now);
    if (!approved) return { seq: this.lastSeq, ...(pending ? { pendingApproval: pending } : {}) };
    const { event, requestedBy: actor, fields, checklist, comment } = approved;
    return { seq: this.apply({ event, actor, fields, checklist, comment }, now, approved.granted.map((g) => g.by)) };
  }

  /** Adds an alert once; what it newly names is looked up. One reaching a closed incident with a key is set aside to forward. */
  receiveAlert(alert: AlertReceived, now: string): void {
    const closed = this.input.playbook.document.stages[this.stage]?.closed;
    if (closed && this.input.opening.correlationKey && !this.knowledge.knows(alert.alertId) && this.patches.forwardAlertsOfClosedIncidents()) {
      this.closedAlerts.setAside(alert);
      return;
    }
    const { steps, fresh } = this.knowledge.addAlert(alert, now);
    this.queueKnowledge(steps, now);
    this.contextRequests.alertAdded(this.stage, fresh);
  }

  hasReroutes = (): boolean => this.closedAlerts.has();
  /** Takes the alerts that reached the closed incident, to forward now. */
  takeReroutes = (): AlertReceived[] => this.closedAlerts.take();

  /** Alerts forwarded to the incident `to` (or not, and why): recorded in this incident's log. */
  forwarded(alerts: AlertReceived[], to: string | null, now: string, reason?: string): void {
    this.queueDrafts(this.closedAlerts.forwarded(alerts, to, reason), now);
  }

  /** Takes the context lookups to run now, each with the facts it asks about. */
  takeEnrichment(): Array<{ kind: ContextKind; facts: LookupFacts }> {
    return this.contextRequests.take().flatMap((r) => {
      const facts = this.knowledge.facts(this.input.incidentId, r.scope === 'subject' ? undefined : r.scope);
      return r.kinds.map((kind) => ({ kind, facts }));
    });
  }

  hasEnrichment = (): boolean => this.contextRequests.has();

  contextGathered(kind: ContextKind, findings: Finding[], now: string): void {
    this.queueKnowledge(this.knowledge.addFindings(kind, findings, `context:${kind}`, now), now);
  }

  /** A source failed or timed out: recorded, never blocking the lifecycle. */
  enrichmentFailed(kind: ContextKind, reason: string, now: string): void {
    this.queue('enrichment_failed', now, `context:${kind}`, null, null, [], { kind, reason });
  }

  /** Fires the SLA clock events due now: escalations (with notifications and priority raises) and breaches. */
  tickClocks(now: string): void {
    for (const due of this.clocks.tick(now)) {
      const base = { clock: due.clock.name, stage: due.clock.stage, targetSeconds: due.clock.targetMs / 1000, elapsedSeconds: Math.round(due.atMs / 1000) };
      if (due.kind === 'breached') {
        this.queue('sla_breached', now, 'system', null, null, [], base);
        continue;
      }
      const { step, level, repeat, missed } = due;
      const seq = this.queue('sla_escalated', now, 'system', null, null, [], { ...base, level, at: step.at, notify: step.notify, repeat, ...(missed > 0 ? { missed } : {}) });
      this.notifications.push(...escalationNotifications(due, seq, this.view(now), this.assignee));
      if (step.raisePriority) this.queueKnowledge([this.knowledge.raisePriority(now, `sla escalation level ${level}`)].filter((d): d is StepDraft => d !== null), now);
    }
  }

  msUntilClockDue = (now: string): number | null => this.clocks.msUntilDue(now);

  takeNotifications(): NotificationRequest[] {
    const requests = this.notifications;
    this.notifications = [];
    return requests;
  }

  notificationDone(request: NotificationRequest, outcome: DeliveryOutcome, now: string): void {
    this.queueDrafts([deliveryDraft(request, outcome)], now);
  }

  assign({ assignee, actor, normalised }: AssignRequest, now: string): number {
    const previous = this.assignee;
    this.assignee = assignee;
    return this.queue('assigned', now, actor, null, null, [], { assignee, previous, ...normalisedData(normalised) });
  }

  logWork({ minutes, note, actor, normalised }: WorkLogRequest, now: string): number {
    const draft = this.knowledge.logWork(minutes, actor, note);
    return this.queueDrafts([{ ...draft, data: { ...draft.data, ...normalisedData(normalised) } }], now);
  }

  hasPending = (): boolean => this.outbox.hasPending();
  nextPending = (): IncidentStep | undefined => this.outbox.next();
  pendingSteps = (): IncidentStep[] => this.outbox.pending();
  markRecorded = (seq: number): void => this.outbox.markRecorded(seq);

  /** What the workflow indexes in search attributes: no full view needed. */
  searchIndex(): { stage: string; severity: string; priority: string; playbook: string } {
    const { id, version } = this.input.playbook;
    return { stage: this.stage, severity: this.knowledge.severity, priority: this.knowledge.priorityReason.priority, playbook: `${id}@${version}` };
  }

  view(now = this.times.updatedAt): IncidentView {
    return incidentView(this.input, this.snapshot, this.knowledge, this.times, this.approvals.list(), this.clocks.views(now), this.assignee, this.casework.views(now), this.casework.linkViews());
  }

  carry(): CarriedIncident {
    return {
      stage: this.stage,
      context: this.snapshot.context,
      seq: this.lastSeq,
      pendingApprovals: this.approvals.list(),
      knowledge: this.knowledge.carry(),
      clocks: this.clocks.carry(),
      assignee: this.assignee,
      times: { ...this.times },
      enrichment: this.contextRequests.carry(),
      ...(this.closedAlerts.has() ? { reroutes: this.closedAlerts.carry() } : {}),
      ...(this.casework.isEmpty() ? {} : { casework: this.casework.carry() }),
    };
  }

  /** A stage entered asks for its context and creates its tasks. */
  private stageEntered(effects: LifecycleEffect[], now: string): void {
    for (const effect of effects) {
      if (effect.type !== 'stageEntered') continue;
      this.contextRequests.stageEntered(effect.params.stage);
      this.queueDrafts(this.casework.stageEntered(effect.params.stage, this.input.playbook.document.stages[effect.params.stage], now), now);
    }
  }

  protected apply(request: LifecycleRequest, now: string, approvedBy?: string[]): number {
    const from = this.stage;
    const [next, actions] = transition(this.machine, this.snapshot, lifecycleEvent({ ...request, approvedBy, doneTasks: this.casework.doneTasks() }, now));
    if (next === this.snapshot) throw new Error(`event ${request.event} changed nothing in stage ${from}`);
    this.snapshot = next;
    this.times.stageSince = now;
    const data: Record<string, JsonValue> = { event: request.event };
    if (request.fields && Object.keys(request.fields).length > 0) data.fields = request.fields;
    if (request.checklist && request.checklist.length > 0) data.checklist = request.checklist;
    if (request.comment) data.comment = request.comment;
    if (approvedBy) data.approvedBy = approvedBy;
    if (request.actorName) data.actorName = request.actorName;
    Object.assign(data, normalisedData(request.normalised));
    const effects = effectsOf(actions);
    const resolved = effects.some((e) => e.type === 'stageEntered' && e.params.marks.includes('resolved'));
    const clockDrafts = this.clocks.moved(from, this.stage, resolved, this.knowledge.priorityReason.priority, this.knowledge.severity, now);
    const seq = this.queue('transitioned', now, request.actor, from, this.stage, effects, data);
    this.queueDrafts(clockDrafts, now);
    this.queueDrafts(this.approvals.withdrawOutside(this.stage), now);
    this.stageEntered(effects, now);
    // Answer once every step this transition made (clocks, withdrawals) is recorded.
    return Math.max(seq, this.lastSeq);
  }

  protected queueDrafts(drafts: StepDraft[], now: string): number {
    for (const draft of drafts) this.queue(draft.type, now, draft.actor, null, null, [], draft.data);
    return this.lastSeq;
  }

  /** Knowledge steps, then the clocks re-targeted when priority or severity moved. */
  protected queueKnowledge(drafts: StepDraft[], now: string): void {
    this.queueDrafts(drafts, now);
    this.queueDrafts(this.clocks.retarget(this.knowledge.priorityReason.priority, this.knowledge.severity, now), now);
  }

  private queue(type: AuditEventType, at: string, actor: string, from: string | null, to: string | null, effects: IncidentStep['effects'], data: IncidentStep['data']): number {
    this.times.updatedAt = at;
    const view = this.view(at);
    const projection = incidentProjection(this.input, this.snapshot, view, this.times, this.clocks.carry());
    return this.outbox.push({ incidentId: this.input.incidentId, at, type, actor, from, to, data, effects, projection });
  }
}
