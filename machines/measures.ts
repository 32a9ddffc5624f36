/**
 * An incident's measures: what the KPIs and reports are computed from, one row per incident.
 * A fold over its audit events (counters, time in stage, approval latency) plus the dimensions
 * and milestones of its projection after each step. Pure: the persistence activity applies it
 * in the step's transaction, and a naive reader can apply it to the same events.
 */
import type { AuditEvent, IncidentProjection } from './incident.types.js';

/** Facts of the first alert, from the alert as the source sent it. */
export interface AlertFacts {
  source: string;
  ruleId: string | null;
  detectedAt: string | null;
  firstEventAt: string | null;
}

export interface IncidentMeasure {
  incidentId: string;
  createdAt: string;
  playbookId: string;
  category: string | null;
  severity: string;
  priority: string;
  businessUnit: string | null;
  businessProcess: string | null;
  /** The detecting source of the first alert, or `reported` for an incident a person opened. */
  source: string | null;
  ruleId: string | null;
  detectedAt: string | null;
  /** The earliest event time the source gave (when the activity began), if it gave one. */
  firstEventAt: string | null;
  acknowledgedAt: string | null;
  containedAt: string | null;
  eradicatedAt: string | null;
  recoveredAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  open: boolean;
  /** The event that last closed the incident (e.g. `close_false_positive`). */
  closedBy: string | null;
  rootCause: string | null;
  threatSource: string | null;
  vector: string | null;
  changeRelated: boolean;
  alerts: number;
  effortMinutes: number;
  /** Transition requests the gates accepted (an approval request counts once). */
  acceptedAttempts: number;
  clocksArmed: number;
  clocksStopped: number;
  breaches: number;
  escalations: number;
  reopens: number;
  priorityChanges: number;
  lookupsGathered: number;
  lookupsFailed: number;
  findings: number;
  stage: string;
  stageSince: string;
  /** Seconds spent in each stage, summed over finished visits. */
  stageSeconds: Record<string, number>;
  /** Approval requests still open: event → requested at. */
  openApprovals: Record<string, string>;
  /** Approval latency (requested → decided) of every decided request, in seconds. */
  approvalSeconds: number[];
}

type Data = Record<string, unknown>;

const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;
const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);

export function emptyMeasure(incidentId: string, opened: AuditEvent): IncidentMeasure {
  return {
    incidentId,
    createdAt: opened.at,
    playbookId: '',
    category: null,
    severity: '',
    priority: '',
    businessUnit: null,
    businessProcess: null,
    source: null,
    ruleId: null,
    detectedAt: null,
    firstEventAt: null,
    acknowledgedAt: null,
    containedAt: null,
    eradicatedAt: null,
    recoveredAt: null,
    resolvedAt: null,
    closedAt: null,
    open: true,
    closedBy: null,
    rootCause: null,
    threatSource: null,
    vector: null,
    changeRelated: false,
    alerts: 0,
    effortMinutes: 0,
    acceptedAttempts: 0,
    clocksArmed: 0,
    clocksStopped: 0,
    breaches: 0,
    escalations: 0,
    reopens: 0,
    priorityChanges: 0,
    lookupsGathered: 0,
    lookupsFailed: 0,
    findings: 0,
    stage: opened.to ?? '',
    stageSince: opened.at,
    stageSeconds: {},
    openApprovals: {},
    approvalSeconds: [],
  };
}

/** Folds one audit event in. `openAfter` says whether the incident is open once it happened. */
export function foldEvent(measure: IncidentMeasure, event: AuditEvent, openAfter: boolean, alert?: AlertFacts): IncidentMeasure {
  const m: IncidentMeasure = { ...measure, stageSeconds: { ...measure.stageSeconds }, openApprovals: { ...measure.openApprovals } };
  const d = (event.data ?? {}) as Data;
  switch (event.type) {
    case 'incident_opened':
      if (!event.actor.startsWith('source:')) m.source ??= 'reported';
      break;
    case 'alert_received':
      if (m.source === null) {
        m.source = alert?.source ?? text(d.source);
        m.ruleId = alert?.ruleId ?? text(d.ruleId);
        m.detectedAt = alert?.detectedAt ?? event.at;
        m.firstEventAt = alert?.firstEventAt ?? null;
      }
      break;
    case 'transitioned': {
      if (!Array.isArray(d.approvedBy)) m.acceptedAttempts += 1;
      const from = event.from ?? m.stage;
      m.stageSeconds[from] = (m.stageSeconds[from] ?? 0) + seconds(m.stageSince, event.at);
      m.stage = event.to ?? m.stage;
      m.stageSince = event.at;
      if (!m.open && openAfter) m.reopens += 1;
      if (!openAfter) m.closedBy = text(d.event);
      break;
    }
    case 'approval_requested':
      m.acceptedAttempts += 1;
      m.openApprovals[String(d.event)] = event.at;
      break;
    case 'approval_granted':
    case 'approval_rejected': {
      const requestedAt = m.openApprovals[String(d.event)];
      const decided = event.type === 'approval_rejected' || Number(d.granted) >= Number(d.required);
      if (requestedAt && decided) {
        m.approvalSeconds = [...m.approvalSeconds, seconds(requestedAt, event.at)];
        delete m.openApprovals[String(d.event)];
      }
      break;
    }
    case 'approval_withdrawn':
      delete m.openApprovals[String(d.event)];
      break;
    case 'sla_armed':
      m.clocksArmed += 1;
      break;
    case 'sla_stopped':
      m.clocksStopped += 1;
      break;
    case 'sla_breached':
      m.breaches += 1;
      break;
    case 'sla_escalated':
      m.escalations += 1;
      break;
    case 'priority_changed':
      m.priorityChanges += 1;
      break;
    case 'context_gathered':
      m.lookupsGathered += 1;
      m.findings += Number(d.found ?? 0);
      break;
    case 'enrichment_failed':
      m.lookupsFailed += 1;
      break;
  }
  m.open = openAfter;
  return m;
}

/** The dimensions and milestones the projection holds after the step. */
export function withProjection(measure: IncidentMeasure, p: IncidentProjection): IncidentMeasure {
  const firstAsset = p.context.assets[0]?.record;
  const fields = p.fields as Data;
  return {
    ...measure,
    createdAt: p.createdAt,
    playbookId: p.playbook.id,
    category: p.category,
    severity: p.severity,
    priority: p.priority,
    businessUnit: firstAsset?.businessUnit ?? p.context.businessUnits[0]?.record.id ?? null,
    businessProcess: firstAsset?.businessProcess ?? null,
    acknowledgedAt: p.milestones.acknowledged ?? null,
    containedAt: p.milestones.contained ?? null,
    eradicatedAt: p.milestones.eradicated ?? null,
    recoveredAt: p.milestones.recovered ?? null,
    resolvedAt: p.milestones.resolved ?? null,
    closedAt: p.milestones.closed ?? null,
    open: p.open,
    rootCause: text(fields.rootCause),
    threatSource: text(fields.threatSource),
    vector: text(fields.vector),
    changeRelated: p.flags.possibleChangeRelated,
    alerts: p.alertCount,
    effortMinutes: p.effortMinutes,
  };
}

/**
 * The measure of an incident rebuilt from its audit log alone (with its projection now and the
 * facts of its first alert): the same fold the persistence activity applies step by step.
 * `closedStages` are the stages of its playbook that count as closed.
 */
export function measureFromLedger(events: AuditEvent[], projection: IncidentProjection, closedStages: ReadonlySet<string>, firstAlert?: AlertFacts): IncidentMeasure | null {
  const opened = events[0];
  if (!opened) return null;
  let measure = emptyMeasure(projection.id, opened);
  for (const event of events) {
    const openAfter = event.type === 'transitioned' ? !closedStages.has(event.to ?? '') : event.type === 'incident_opened' ? true : measure.open;
    measure = foldEvent(measure, event, openAfter, event.type === 'alert_received' ? firstAlert : undefined);
  }
  return withProjection(measure, projection);
}
