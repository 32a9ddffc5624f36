/**
 * The SLA clocks of one incident inside the workflow: the current stage's clock and the
 * incident-wide ones (until resolved). Armed on entering a stage, stopped on leaving it, paused
 * by stages that pause SLAs and resumed on return, re-targeted when priority or severity
 * changes. Plain and deterministic; returns audit step drafts and what fell due.
 */
import type { IncidentView } from '../machines/incident.types.js';
import type { PinnedPlaybook, Priority, Severity } from '../machines/playbook.types.js';
import type { JsonValue } from '../machines/procedure.js';
import {
  armClock,
  clockView,
  dueEvents,
  elapsedMs,
  msUntilDue,
  pauseClock,
  resumeClock,
  retarget,
  targetFor,
  type ClockEvent,
  type SlaClock,
  type SlaClockView,
} from '../machines/sla.js';
import type { StepDraft } from './incident.knowledge.js';
import { CURRENT_BEHAVIOUR, type IncidentPatches } from './incident.patches.js';
import { isOvernight, type ClockCalendar } from '../machines/calendar.js';

export type DueEvent = ClockEvent & { clock: SlaClock; atMs: number };

function draft(type: StepDraft['type'], clock: SlaClock, now: string, extra: Record<string, JsonValue> = {}): StepDraft {
  return {
    type,
    actor: 'system',
    data: { clock: clock.name, stage: clock.stage, basis: clock.basis, targetSeconds: clock.targetMs / 1000, elapsedSeconds: Math.round(elapsedMs(clock, now) / 1000), ...extra },
  };
}

export class IncidentClocks {
  private clocks: SlaClock[];

  constructor(
    private readonly playbook: PinnedPlaybook,
    carried?: SlaClock[],
    private readonly patches: IncidentPatches = CURRENT_BEHAVIOUR,
  ) {
    this.clocks = carried ?? [];
  }

  /** The incident-wide clocks (`slas`), armed when the incident opens. */
  open(priority: Priority, severity: Severity, now: string): StepDraft[] {
    const drafts: StepDraft[] = [];
    for (const [name, targets] of Object.entries(this.playbook.document.slas ?? {})) {
      const target = targetFor(targets, priority, severity);
      if (!target) continue;
      const clock = armClock(name, null, target, [], now, this.calendar(targets.calendar));
      this.clocks.push(clock);
      drafts.push(draft('sla_armed', clock, now));
    }
    return drafts;
  }

  /** A transition from `from` to `to`; `resolved` when `to` marks the incident resolved. */
  moved(from: string, to: string, resolved: boolean, priority: Priority, severity: Severity, now: string): StepDraft[] {
    const stages = this.playbook.document.stages;
    const drafts: StepDraft[] = [];
    if (stages[to]?.pausesSla) {
      this.clocks = this.clocks.map((c) => (c.since && (c.stage === from || c.stage === null) ? pauseClock(c, now) : c));
      for (const c of this.clocks.filter((c) => !c.since && (c.stage === from || c.stage === null))) drafts.push(draft('sla_paused', c, now));
      return drafts;
    }
    for (const stopped of this.clocks.filter((c) => c.stage !== null && c.stage !== to)) drafts.push(draft('sla_stopped', stopped, now, { breached: stopped.breached }));
    this.clocks = this.clocks.filter((c) => c.stage === null || c.stage === to);
    const held = this.clocks.find((c) => c.stage === to);
    const sla = stages[to]?.sla;
    if (held && !held.since) {
      this.replace(held, resumeClock(held, now));
      drafts.push(draft('sla_resumed', held, now));
    } else if (!held && sla) {
      const target = targetFor(sla, priority, severity);
      if (target) {
        const clock = armClock('stage', to, target, stages[to]?.escalation ?? [], now, this.calendar(sla.calendar));
        this.clocks.push(clock);
        drafts.push(draft('sla_armed', clock, now));
      }
    }
    for (const c of this.clocks.filter((c) => c.stage === null)) {
      if (resolved) {
        drafts.push(draft('sla_stopped', c, now, { breached: c.breached }));
        this.clocks = this.clocks.filter((other) => other !== c);
      } else if (!c.since) {
        this.replace(c, resumeClock(c, now));
        drafts.push(draft('sla_resumed', c, now));
      }
    }
    return drafts;
  }

  /** New targets after a priority or severity change, keeping the time already spent. */
  retarget(priority: Priority, severity: Severity, now: string): StepDraft[] {
    const drafts: StepDraft[] = [];
    for (const clock of this.clocks) {
      const targets = clock.stage === null ? this.playbook.document.slas?.[clock.name] : this.playbook.document.stages[clock.stage]?.sla;
      const target = targetFor(targets, priority, severity);
      if (!target || target.ms === clock.targetMs) continue;
      const next = retarget(clock, target, now, this.patches.clearBreachOnLongerTarget);
      this.replace(clock, next);
      const cleared: Record<string, JsonValue> = clock.breached && !next.breached ? { breachCleared: true } : {};
      drafts.push(draft('sla_retargeted', next, now, { previousTargetSeconds: clock.targetMs / 1000, ...cleared }));
    }
    return drafts;
  }

  /** Fires what is due, once each, in ladder order. */
  tick(now: string): DueEvent[] {
    const due: DueEvent[] = [];
    for (const clock of [...this.clocks]) {
      const { clock: after, events } = dueEvents(clock, now, this.patches.collapseMissedRepeats);
      this.replace(clock, after);
      for (const event of events) due.push({ ...event, clock: after });
    }
    return due;
  }

  /** Milliseconds until the next clock event, or null. */
  msUntilDue(now: string): number | null {
    const all = this.clocks.map((c) => msUntilDue(c, now)).filter((ms): ms is number => ms !== null);
    return all.length > 0 ? Math.min(...all) : null;
  }

  views(now: string): SlaClockView[] {
    return this.clocks.map((c) => clockView(c, now));
  }

  carry(): SlaClock[] {
    return this.clocks;
  }

  private calendar(name: string | undefined): ClockCalendar | undefined {
    const calendar = name ? this.playbook.document.calendars?.[name] : undefined;
    if (!calendar || !isOvernight(calendar)) return calendar;
    return this.patches.countOvernightHours() ? { ...calendar, overnight: true } : calendar;
  }

  private replace(before: SlaClock, after: SlaClock): void {
    this.clocks = this.clocks.map((c) => (c === before ? after : c));
  }
}

/** A notification an escalation asks for; `deliveryId` lets receivers drop a redelivery. */
export interface NotificationRequest {
  deliveryId: string;
  target: string;
  /** The channel id: the target itself, or the incident's assignee for `assignee`. */
  channel: string | null;
  payload: { [key: string]: JsonValue };
}

/** One notification per target of a ladder step; `seq` is the step that recorded the escalation. */
export function escalationNotifications(due: DueEvent & { kind: 'escalated' }, seq: number, view: IncidentView, assignee: string | null): NotificationRequest[] {
  const clock = view.sla.find((c) => c.clock === due.clock.name);
  return due.step.notify.map((target) => ({
    deliveryId: `${view.id}:${seq}:${target}`,
    target,
    channel: target === 'assignee' ? assignee : target,
    payload: {
      incidentId: view.id,
      title: view.title,
      stage: view.stage,
      severity: view.severity,
      priority: view.priority,
      sla: due.clock.name,
      level: due.level,
      deadline: clock?.deadline ?? null,
      link: `/v1/incidents/${view.id}`,
    },
  }));
}

export type DeliveryOutcome = { delivered: true } | { delivered: false; reason: string };

export function deliveryDraft(request: NotificationRequest, outcome: DeliveryOutcome): StepDraft {
  const data = { deliveryId: request.deliveryId, target: request.target, channel: request.channel, level: request.payload.level ?? null };
  return outcome.delivered
    ? { type: 'notification_delivered', actor: 'system', data }
    : { type: 'notification_failed', actor: 'system', data: { ...data, reason: outcome.reason } };
}
