/**
 * The incident's state and logic inside the workflow: a plain object with no Temporal imports,
 * so it is deterministic and testable on its own. It drives the lifecycle machine through
 * XState's pure functions and queues every accepted step for the persistence activity.
 */
import { initialTransition, transition } from 'xstate';
import type { AlertReceived } from '../machines/alert.js';
import type { AuditEventType, IncidentProjection, IncidentStep, IncidentView } from '../machines/incident.types.js';
import {
  buildLifecycleMachine,
  effectsOf,
  stageOfSnapshot,
  type LifecycleMachine,
  type LifecycleSnapshot,
} from '../machines/lifecycle.machine.js';
import type { Priority, Severity } from '../machines/playbook.types.js';
import { allowedEvents, findTransition, isProcedureMet, missingProcedure, type JsonValue } from '../machines/procedure.js';
import { DEFAULT_IMPACT, highestSeverity, priorityFor } from '../machines/severity.js';
import type {
  CarriedIncident,
  EventNotAllowedDetails,
  IncidentWorkflowInput,
  LifecycleRequest,
  ProcedureNotMetDetails,
} from './incident.messages.js';

export type Verdict =
  | { allowed: true }
  | { allowed: false; reason: 'eventNotAllowed'; details: EventNotAllowedDetails }
  | { allowed: false; reason: 'procedureNotMet'; details: ProcedureNotMetDetails };

export class IncidentLifecycle {
  private readonly machine: LifecycleMachine;
  private snapshot: LifecycleSnapshot;
  private readonly outbox: IncidentStep[] = [];
  private readonly alertIds: Set<string>;
  private seq: number;
  private alertCount: number;
  private severity: Severity;
  private priority: Priority;
  private readonly createdAt: string;
  private updatedAt: string;
  /** When the incident entered its current stage. */
  private stageSince: string;
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
      this.alertCount = carried.alertCount;
      this.severity = carried.severity;
      this.priority = carried.priority;
      this.createdAt = carried.createdAt;
      this.updatedAt = carried.updatedAt;
      this.stageSince = carried.stageSince;
      return;
    }
    const [snapshot, actions] = initialTransition(this.machine, { at: now });
    this.snapshot = snapshot;
    this.seq = this.recordedSeq = 0;
    this.alertIds = new Set();
    this.alertCount = 0;
    this.severity = input.opening.severity;
    this.priority = this.priorityFor(this.severity);
    this.createdAt = this.updatedAt = this.stageSince = now;
    const { opening, playbook } = input;
    this.queue('incident_opened', now, opening.openedBy, null, this.stage, effectsOf(actions), {
      title: opening.title,
      severity: opening.severity,
      priority: this.priority,
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

  /** Would the machine and the stage's procedure accept this event now? */
  judge(request: LifecycleRequest): Verdict {
    const { document } = this.input.playbook;
    const stage = this.stage;
    const allowed = allowedEvents(document, stage);
    const definition = findTransition(document, stage, request.event);
    if (!definition) return { allowed: false, reason: 'eventNotAllowed', details: { event: request.event, stage, allowedEvents: allowed } };
    const missing = missingProcedure(definition.requires, {
      known: this.snapshot.context.fields,
      given: request.fields,
      checklist: request.checklist,
    });
    if (!isProcedureMet(missing)) return { allowed: false, reason: 'procedureNotMet', details: { event: request.event, stage, missing } };
    if (!this.snapshot.can(this.eventFor(request, ''))) {
      return { allowed: false, reason: 'eventNotAllowed', details: { event: request.event, stage, allowedEvents: allowed } };
    }
    return { allowed: true };
  }

  /** Applies an event the validator accepted; returns the seq of the step that records it. */
  apply(request: LifecycleRequest, now: string): number {
    const from = this.stage;
    const [next, actions] = transition(this.machine, this.snapshot, this.eventFor(request, now));
    if (next === this.snapshot) throw new Error(`event ${request.event} changed nothing in stage ${from}`);
    this.snapshot = next;
    this.stageSince = now;
    const data: { [key: string]: JsonValue } = { event: request.event };
    if (request.fields && Object.keys(request.fields).length > 0) data.fields = request.fields;
    if (request.checklist && request.checklist.length > 0) data.checklist = request.checklist;
    if (request.comment) data.comment = request.comment;
    return this.queue('transitioned', now, request.actor, from, this.stage, effectsOf(actions), data);
  }

  /** Adds an alert; a re-sent alert (same id) is ignored. */
  receiveAlert(alert: AlertReceived, now: string): void {
    if (this.alertIds.has(alert.alertId)) return;
    this.alertIds.add(alert.alertId);
    this.alertCount += 1;
    const before = { severity: this.severity, priority: this.priority };
    this.severity = highestSeverity(this.severity, alert.severity);
    this.priority = this.priorityFor(this.severity);
    const data: { [key: string]: JsonValue } = {
      alertId: alert.alertId,
      source: alert.source,
      sourceId: alert.sourceId,
      title: alert.title,
      severity: alert.severity,
    };
    if (alert.ruleId) data.ruleId = alert.ruleId;
    this.queue('alert_received', now, `source:${alert.source}`, null, null, [], data);
    if (before.priority !== this.priority || before.severity !== this.severity) {
      this.queue('priority_changed', now, 'system', null, null, [], {
        reason: 'alert severity',
        severity: { from: before.severity, to: this.severity },
        priority: { from: before.priority, to: this.priority },
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
    const { playbook } = this.input;
    return {
      id: this.input.incidentId,
      title: this.input.opening.title,
      stage: this.stage,
      severity: this.severity,
      priority: this.priority,
      playbook: { id: playbook.id, version: playbook.version },
      alertCount: this.alertCount,
      allowedEvents: allowedEvents(playbook.document, this.stage),
      fields: this.snapshot.context.fields,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
    };
  }

  carry(): CarriedIncident {
    return {
      stage: this.stage,
      context: this.snapshot.context,
      seq: this.seq,
      alertIds: [...this.alertIds],
      alertCount: this.alertCount,
      severity: this.severity,
      priority: this.priority,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
      stageSince: this.stageSince,
    };
  }

  private projection(): IncidentProjection {
    const open = !this.input.playbook.document.stages[this.stage]?.closed;
    return {
      ...this.view(),
      description: this.input.opening.description ?? null,
      category: this.input.opening.category ?? null,
      correlationKey: this.input.opening.correlationKey ?? null,
      open,
      closedAt: open ? null : this.stageSince,
      milestones: this.snapshot.context.milestones,
    };
  }

  private eventFor(request: LifecycleRequest, at: string) {
    return { type: request.event, actor: request.actor, at, fields: request.fields, checklist: request.checklist, comment: request.comment };
  }

  private priorityFor(severity: Severity): Priority {
    return this.input.playbook.document.priority?.fixed ?? priorityFor(DEFAULT_IMPACT, severity);
  }

  private queue(
    type: AuditEventType,
    at: string,
    actor: string,
    from: string | null,
    to: string | null,
    effects: IncidentStep['effects'],
    data: IncidentStep['data'],
  ): number {
    this.seq += 1;
    this.updatedAt = at;
    this.outbox.push({ incidentId: this.input.incidentId, seq: this.seq, at, type, actor, from, to, data, effects, projection: this.projection() });
    return this.seq;
  }
}
