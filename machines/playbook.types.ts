/**
 * The playbook document: a versioned definition of how incidents of a kind are handled.
 * Pure types, shared by the validator, the lifecycle machine builder, the workflow and the API.
 */
import type { CorrelationSpec } from './correlation.js';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** KPI milestones a stage marks on entry (ITIL / NIST SP 800-61 phases). */
export const MILESTONES = ['acknowledged', 'contained', 'eradicated', 'recovered', 'resolved', 'closed'] as const;
export type Milestone = (typeof MILESTONES)[number];

export const CONTEXT_KINDS = ['asset', 'business-unit', 'change', 'risk-exception', 'intel'] as const;
export type ContextKind = (typeof CONTEXT_KINDS)[number];

/** A duration such as `30s`, `15m`, `4h`, `1d` or `2w`. */
export type Duration = string;

export interface ApprovalRequirement {
  count: number;
  roles: string[];
}

/** What a transition requires before it may happen: the procedure of the gate. */
export interface Procedure {
  fields?: string[];
  checklist?: string[];
  approvals?: ApprovalRequirement;
  /** Tasks (by id, as stages declare them) that must be done first. */
  tasks?: string[];
}

/** A task a stage creates when an incident enters it. */
export interface StageTask {
  id: string;
  title: string;
  /** Who is expected to do it (a role name; shown, not enforced). */
  role?: string;
}

export interface TransitionDefinition {
  to: string;
  description?: string;
  requires?: Procedure;
}

export interface EscalationStep {
  at: string;
  notify: string[];
  raisePriority?: boolean;
  repeatEvery?: Duration;
}

/** SLA targets by severity or priority, optionally counted in a business-hours calendar. */
export type SlaTargets = Partial<Record<Severity | Priority, Duration>> & { calendar?: string };

export interface StageDefinition {
  description?: string;
  marks?: Milestone[];
  /** An incident in this stage counts as closed; `on` may still allow reopening. */
  closed?: boolean;
  /** This stage holds work: the named event returns to the stage the incident was held from. */
  returnOn?: string;
  pausesSla?: boolean;
  on?: Record<string, TransitionDefinition>;
  enrich?: ContextKind[];
  sla?: SlaTargets;
  escalation?: EscalationStep[];
  /** Tasks created on entry (once per incident: re-entering keeps the task as it is). */
  tasks?: StageTask[];
}

export interface PlaybookMatch {
  order?: number;
  sources?: string[];
  ruleIds?: string[];
  categories?: string[];
  minSeverity?: Severity;
  /** Which alerts of this playbook join one incident (default: source + rule + first asset). */
  correlation?: CorrelationSpec;
}

export interface BusinessCalendar {
  timezone: string;
  days: string[];
  from: string;
  to: string;
}

export interface PlaybookDocument {
  id: string;
  name: string;
  description?: string;
  match?: PlaybookMatch;
  initial: string;
  /** Transitions allowed from every open stage other than their target (e.g. `hold`). */
  on?: Record<string, TransitionDefinition>;
  stages: Record<string, StageDefinition>;
  slas?: Record<string, SlaTargets>;
  calendars?: Record<string, BusinessCalendar>;
  fields?: Record<string, { description?: string; values?: string[] }>;
  priority?: { fixed?: Priority };
}

/** A stored, immutable playbook version as an incident pins it. */
export interface PinnedPlaybook {
  id: string;
  version: number;
  hash: string;
  document: PlaybookDocument;
}
