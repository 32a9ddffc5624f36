/**
 * What the workflow knows about an incident beside its lifecycle: its alerts, what they name
 * (the subject), the context gathered about it, and the priority that follows, with its reason.
 * Plain and deterministic; it returns audit step drafts for the lifecycle object to queue.
 */
import type { AlertReceived } from '../machines/alert.js';
import { contextFlags, extendSubject, isEmptySubject, lookupFacts, mergeFindings, priorityInputs, type ContextFlags, type Subject } from '../machines/context.merge.js';
import { CONTEXT_SECTIONS, emptyContext, type Finding, type IncidentContext, type LookupFacts } from '../machines/context.types.js';
import type { AuditEventType } from '../machines/incident.types.js';
import type { PinnedPlaybook, Severity } from '../machines/playbook.types.js';
import { assessPriority, type PriorityReason } from '../machines/priority.js';
import type { JsonValue } from '../machines/procedure.js';
import { highestSeverity } from '../machines/severity.js';
import { CURRENT_BEHAVIOUR, type IncidentPatches } from './incident.patches.js';

export interface StepDraft {
  type: AuditEventType;
  actor: string;
  data: { [key: string]: JsonValue };
}

/** The part of the knowledge that crosses continue-as-new. */
export interface KnowledgeState {
  alertIds: string[];
  alertCount: number;
  severity: Severity;
  subject: Subject;
  context: IncidentContext;
  detectedAt: string;
  priorityReason: PriorityReason;
  /** Steps SLA escalations raised the priority. */
  raisedSteps: number;
  /** Work logged on the incident, in minutes (cost per business unit). */
  effortMinutes?: number;
}

/** Who asked, as a step records it beside its actor: the person's name, and what intake normalised. */
export function requesterData({ actorName, normalised }: { actorName?: string; normalised?: string[] }): { [key: string]: JsonValue } {
  return { ...(actorName ? { actorName } : {}), ...normalisedData(normalised) };
}

/** `normalised` in a step's data when intake made some of its text storable. */
export function normalisedData(normalised: string[] | undefined): { normalised?: string[] } {
  return normalised && normalised.length > 0 ? { normalised } : {};
}

function json(value: unknown): JsonValue {
  return value as JsonValue;
}

export class IncidentKnowledge {
  private readonly alertIds: Set<string>;
  private state: Omit<KnowledgeState, 'alertIds'>;

  constructor(
    private readonly playbook: PinnedPlaybook,
    initial: { severity: Severity; subject: Subject; detectedAt: string; now: string } | KnowledgeState,
    private readonly patches: Pick<IncidentPatches, 'compareExpiryAsInstants'> = CURRENT_BEHAVIOUR,
  ) {
    if ('alertIds' in initial) {
      const { alertIds, ...rest } = initial;
      this.alertIds = new Set(alertIds);
      this.state = rest;
      return;
    }
    this.alertIds = new Set();
    const context = emptyContext();
    this.state = {
      alertCount: 0,
      severity: initial.severity,
      subject: initial.subject,
      context,
      detectedAt: initial.detectedAt,
      raisedSteps: 0,
      priorityReason: this.assess(context, initial.severity, initial.now, 0),
    };
  }

  get severity(): Severity {
    return this.state.severity;
  }
  get alertCount(): number {
    return this.state.alertCount;
  }
  get context(): IncidentContext {
    return this.state.context;
  }
  get priorityReason(): PriorityReason {
    return this.state.priorityReason;
  }
  get effortMinutes(): number {
    return this.state.effortMinutes ?? 0;
  }

  logWork(minutes: number, actor: string, note?: string): StepDraft {
    this.state.effortMinutes = this.effortMinutes + minutes;
    return { type: 'work_logged', actor, data: { minutes, totalMinutes: this.state.effortMinutes, ...(note ? { note } : {}) } };
  }

  flags(now: string): ContextFlags {
    return contextFlags(this.state.context, now, this.patches.compareExpiryAsInstants);
  }

  facts(incidentId: string, subject: Subject = this.state.subject): LookupFacts {
    return lookupFacts(incidentId, this.state.detectedAt, subject, this.state.context);
  }

  knows(alertId: string): boolean {
    return this.alertIds.has(alertId);
  }

  /** Records an alert once; returns its steps and what it names that was not known before. */
  addAlert(alert: AlertReceived, now: string): { steps: StepDraft[]; fresh: Subject | null } {
    if (this.alertIds.has(alert.alertId)) return { steps: [], fresh: null };
    this.alertIds.add(alert.alertId);
    this.state.alertCount += 1;
    if (this.state.alertCount === 1 && alert.detectedAt) this.state.detectedAt = alert.detectedAt;
    const named: Subject = {
      hostnames: alert.hostnames ?? [],
      ips: alert.ips ?? [],
      ruleIds: alert.ruleId ? [alert.ruleId] : [],
      observables: alert.observables ?? [],
    };
    const { subject, fresh } = extendSubject(this.state.subject, named);
    this.state.subject = subject;
    const severityBefore = this.state.severity;
    this.state.severity = highestSeverity(severityBefore, alert.severity);
    const { alertId, source, sourceId, title, severity, ruleId, normalised } = alert;
    const steps: StepDraft[] = [
      {
        type: 'alert_received',
        actor: `source:${source}`,
        data: { alertId, source, sourceId, title, severity, ...(ruleId ? { ruleId } : {}), ...normalisedData(normalised) },
      },
    ];
    const change = this.reassess(now, this.state.severity !== severityBefore ? 'alert severity' : 'alert');
    if (change) steps.push(change);
    return { steps, fresh: isEmptySubject(fresh) ? null : fresh };
  }

  /** Adds what a person named to the subject; returns what was not known before, or null. */
  extendSubject(more: Subject): Subject | null {
    const { subject, fresh } = extendSubject(this.state.subject, more);
    this.state.subject = subject;
    return isEmptySubject(fresh) ? null : fresh;
  }

  /** Folds findings in; returns the context step and, when the priority moved, its step. */
  addFindings(kind: Finding['kind'], findings: Finding[], source: string, now: string): StepDraft[] {
    const { context, added } = mergeFindings(this.state.context, findings);
    this.state.context = context;
    const steps: StepDraft[] = [
      { type: 'context_gathered', actor: source, data: { kind, section: CONTEXT_SECTIONS[kind], found: findings.length, added: json(added) } },
    ];
    const change = added.length > 0 ? this.reassess(now, `${kind} context`) : null;
    if (change) steps.push(change);
    return steps;
  }

  carry(): KnowledgeState {
    return { ...this.state, alertIds: [...this.alertIds] };
  }

  /**
   * A risk exception ended (expired, or revoked before its expiry): its findings expire then, and
   * priority is judged again without its step. Null when the incident never knew the exception.
   */
  endRiskException(exceptionId: string, endedAt: string, now: string): StepDraft[] | null {
    const known = this.state.context.riskExceptions.some((f) => f.key === exceptionId);
    if (!known) return null;
    const earlier = (at: string) => (Date.parse(at) > Date.parse(endedAt) ? endedAt : at);
    const riskExceptions = this.state.context.riskExceptions.map((f) => (f.key === exceptionId ? { ...f, record: { ...f.record, expiresAt: earlier(f.record.expiresAt) } } : f));
    this.state.context = { ...this.state.context, riskExceptions };
    const change = this.reassess(now, `risk exception ${exceptionId} ended`);
    return change ? [change] : [];
  }

  /** An escalation step with raisePriority: one step up; a draft when it moved. */
  raisePriority(now: string, cause: string): StepDraft | null {
    this.state.raisedSteps += 1;
    return this.reassess(now, cause);
  }

  private assess(context: IncidentContext, severity: Severity, now: string, raisedSteps = this.state.raisedSteps): PriorityReason {
    const fixed = this.playbook.document.priority?.fixed;
    return assessPriority(priorityInputs(context, severity, now, this.patches.compareExpiryAsInstants), fixed ? { priority: fixed, playbook: this.playbook.id } : undefined, raisedSteps);
  }

  /** Recomputes the priority; a `priority_changed` draft with the inputs and matrix cell when it moved. */
  private reassess(now: string, cause: string): StepDraft | null {
    const before = this.state.priorityReason;
    const after = this.assess(this.state.context, this.state.severity, now);
    this.state.priorityReason = after;
    if (after.priority === before.priority) return null;
    return {
      type: 'priority_changed',
      actor: 'system',
      data: { cause, from: before.priority, to: after.priority, impact: after.impact, urgency: after.urgency, cell: after.cell, inputs: json(after.inputs) },
    };
  }
}
