/**
 * The incident as it stood at an instant, rebuilt from its audit log alone: stage, severity and
 * priority, alerts, fields, context known, approvals pending, SLA clocks, assignee. Pure.
 */
import { mergeFindings } from './context.merge.js';
import { emptyContext, type Finding, type IncidentContext } from './context.types.js';
import type { AuditEvent } from './incident.types.js';

export interface ClockAsOf {
  clock: string;
  stage: string | null;
  state: 'running' | 'paused';
  targetSeconds: number;
  breached: boolean;
  escalationLevel: number;
}

export interface IncidentAsOf {
  id: string;
  asOf: string;
  /** The last audit event at or before `asOf`. */
  seq: number;
  stage: string;
  severity: string;
  priority: string;
  alertCount: number;
  fields: Record<string, unknown>;
  context: IncidentContext;
  pendingApprovals: string[];
  sla: ClockAsOf[];
  assignee: string | null;
}

type Data = Record<string, any>;

export function incidentAsOf(incidentId: string, events: AuditEvent[], asOf: string): IncidentAsOf | null {
  const until = Date.parse(asOf);
  const seen = events.filter((e) => Date.parse(e.at) <= until);
  const opened = seen.find((e) => e.type === 'incident_opened');
  if (!opened) return null;
  const openedData = opened.data as Data;
  const state: IncidentAsOf = {
    id: incidentId,
    asOf,
    seq: seen.at(-1)!.seq,
    stage: opened.to ?? '',
    severity: openedData.severity,
    priority: openedData.priority,
    alertCount: 0,
    fields: {},
    context: emptyContext(),
    pendingApprovals: [],
    sla: [],
    assignee: null,
  };
  const clockOf = (d: Data) => state.sla.find((c) => c.clock === d.clock && c.stage === d.stage);
  for (const e of seen) {
    const d = (e.data ?? {}) as Data;
    switch (e.type) {
      case 'alert_received':
        state.alertCount += 1;
        break;
      case 'priority_changed':
        state.priority = d.to ?? d.priority?.to ?? state.priority;
        if (d.severity?.to) state.severity = d.severity.to;
        if (d.inputs?.severity) state.severity = d.inputs.severity;
        break;
      case 'transitioned':
        state.stage = e.to ?? state.stage;
        state.fields = { ...state.fields, ...(d.fields ?? {}) };
        state.pendingApprovals = state.pendingApprovals.filter((p) => p !== d.event);
        break;
      case 'approval_requested':
        state.pendingApprovals.push(d.event);
        break;
      case 'approval_rejected':
      case 'approval_withdrawn':
        state.pendingApprovals = state.pendingApprovals.filter((p) => p !== d.event);
        break;
      case 'context_gathered':
        state.context = mergeFindings(state.context, (d.added ?? []) as Finding[]).context;
        break;
      case 'assigned':
        state.assignee = d.assignee;
        break;
      case 'sla_armed':
        state.sla.push({ clock: d.clock, stage: d.stage, state: 'running', targetSeconds: d.targetSeconds, breached: false, escalationLevel: 0 });
        break;
      case 'sla_paused':
      case 'sla_resumed': {
        const clock = clockOf(d);
        if (clock) clock.state = e.type === 'sla_paused' ? 'paused' : 'running';
        break;
      }
      case 'sla_retargeted': {
        const clock = clockOf(d);
        if (clock) clock.targetSeconds = d.targetSeconds;
        break;
      }
      case 'sla_escalated': {
        const clock = clockOf(d);
        if (clock) clock.escalationLevel = Math.max(clock.escalationLevel, d.level);
        break;
      }
      case 'sla_breached': {
        const clock = clockOf(d);
        if (clock) clock.breached = true;
        break;
      }
      case 'sla_stopped':
        state.sla = state.sla.filter((c) => !(c.clock === d.clock && c.stage === d.stage));
        break;
    }
  }
  return state;
}
