/**
 * The Temporal contract of an incident: task queue, workflow id, input, signals, updates,
 * queries, failure types and search attributes. Side-effect free; imported by the workflow,
 * the API client and the tests alike. Never rename a message: names are part of the history.
 */
import { defineSearchAttributeKey } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AlertReceived } from '../machines/alert.js';
import type { ApprovalDecision, ApprovalRefusal, PendingApproval } from '../machines/approval.js';
import type { IncidentView } from '../machines/incident.types.js';
import type { Subject } from '../machines/context.merge.js';
import type { SlaClock } from '../machines/sla.js';
import type { LifecycleContext } from '../machines/lifecycle.machine.js';
import type { PinnedPlaybook, Severity } from '../machines/playbook.types.js';
import type { Fields, MissingProcedure } from '../machines/procedure.js';

import type { KnowledgeState } from './incident.knowledge.js';
import type { CaseWorkRefusal, CaseWorkState, LinkRequest, NoteRequest, ObservableRequest, TaskRequest } from './incident.casework.js';
import type { EvidenceRefusal, EvidenceRequest } from './incident.evidence.js';
import type { EnrichmentRequest } from './incident.context-requests.js';
import type { FirstAnswer } from './incident.idempotency.js';
import type { IncidentTimes } from './incident.view.js';

export const TASK_QUEUE = 'irflow-incidents';

/** One workflow per incident; its id is the incident id. */
export function incidentWorkflowId(incidentId: string): string {
  return incidentId;
}

export interface IncidentOpening {
  title: string;
  severity: Severity;
  description?: string;
  category?: string;
  correlationKey?: string;
  /** Hosts, addresses and observables a reported incident names (alerts bring their own). */
  subject?: Subject;
  /** When it was detected, if earlier than its creation. */
  detectedAt?: string;
  /** Who opened it: `source:<name>` for alerts, the API key's name for people. */
  openedBy: string;
  /** Places whose text was made storable on intake; recorded on incident_opened. */
  normalised?: string[];
}

/** What one run hands the next through continue-as-new. */
export interface CarriedIncident {
  stage: string;
  context: LifecycleContext;
  seq: number;
  pendingApprovals: PendingApproval[];
  knowledge: KnowledgeState;
  clocks: SlaClock[];
  assignee: string | null;
  times: IncidentTimes;
  enrichment: EnrichmentRequest[];
  /** Alerts that reached the incident after it closed, not yet forwarded. */
  reroutes?: AlertReceived[];
  /** Keyed requests answered in earlier runs (idempotency across continue-as-new). */
  answered?: Array<[string, FirstAnswer]>;
  /** Notes (who wrote them, their versions) and tasks, once the incident has any. */
  casework?: CaseWorkState;
}

export interface IncidentWorkflowInput {
  incidentId: string;
  playbook: PinnedPlaybook;
  opening: IncidentOpening;
  carried?: CarriedIncident;
  /** History events after which a run continues as new (default RUN_HISTORY_LIMIT); carried to later runs. */
  runHistoryLimit?: number;
}

/**
 * A run continues as new once its history holds this many events, before Temporal would suggest
 * it: an auditor's replay (and a worker's cache miss) replays one run, and a short run keeps both
 * fast (about 0.3 ms per event).
 */
export const RUN_HISTORY_LIMIT = 1_500;

/** An analyst's lifecycle event. */
export interface LifecycleRequest {
  event: string;
  actor: string;
  /** The person's name where the identity provider gives one; recorded beside `actor`, never compared. */
  actorName?: string;
  fields?: Fields;
  checklist?: string[];
  comment?: string;
  /** Places whose text was made storable on intake; recorded with the step. */
  normalised?: string[];
}

export const alertReceivedSignal = defineSignal<[AlertReceived]>('alertReceived');
/** Several alerts of one incident at once (a batch from a SIEM). */
export const alertsReceivedSignal = defineSignal<[AlertReceived[]]>('alertsReceived');

/** A risk exception the incident may rely on ended: its lifecycle's workflow tells the incidents it covered. */
export interface RiskExceptionEnded {
  exceptionId: string;
  endedAt: string;
  reason: 'expired' | 'revoked';
}
export const riskExceptionEndedSignal = defineSignal<[RiskExceptionEnded]>('riskExceptionEnded');
/** The answer to a lifecycle event or an approval decision. */
export interface LifecycleOutcome {
  incident: IncidentView;
  /** Present while the transition waits for approvals (the API answers 202). */
  pendingApproval?: PendingApproval;
}

export const applyEventUpdate = defineUpdate<LifecycleOutcome, [LifecycleRequest]>('applyEvent');
export const decideApprovalUpdate = defineUpdate<LifecycleOutcome, [ApprovalDecision]>('decideApproval');
/** Resolves once every accepted step is recorded; used right after start to read a settled view. */
export const recordedViewUpdate = defineUpdate<IncidentView, []>('recordedView');
export const incidentViewQuery = defineQuery<IncidentView>('incidentView');
export interface AssignRequest {
  assignee: string;
  actor: string;
  normalised?: string[];
}
export const assignUpdate = defineUpdate<LifecycleOutcome, [AssignRequest]>('assign');
export interface WorkLogRequest {
  minutes: number;
  note?: string;
  actor: string;
  normalised?: string[];
}
export const logWorkUpdate = defineUpdate<LifecycleOutcome, [WorkLogRequest]>('logWork');
export type { EvidenceRequest, LinkRequest, NoteRequest, ObservableRequest, TaskRequest };
/** Adds, edits or deletes a note; the answer waits until the step is in the ledger. */
export const caseNoteUpdate = defineUpdate<LifecycleOutcome, [NoteRequest]>('caseNote');
/** Adds a task or changes its status, assignee or due time. */
export const caseTaskUpdate = defineUpdate<LifecycleOutcome, [TaskRequest]>('caseTask');
/** Records evidence stored (or held elsewhere), downloaded, transferred, disposed of, or found altered. */
export const caseEvidenceUpdate = defineUpdate<LifecycleOutcome, [EvidenceRequest]>('caseEvidence');
/** Adds an observable by hand (an `observable_added` step; it joins the incident's subject). */
export const caseObservableUpdate = defineUpdate<LifecycleOutcome, [ObservableRequest]>('caseObservable');
/** One side of a link, or of a merge (the target absorbs, the source is merged into it and closes). */
export const caseLinkUpdate = defineUpdate<LifecycleOutcome, [LinkRequest]>('caseLink');

/**
 * The prefix of update ids that carry an idempotency key (`idempotency:<update>:<actor>:<key>`):
 * the workflow remembers them across continue-as-new, where Temporal forgets update ids.
 */
export const IDEMPOTENT_UPDATE_PREFIX = 'idempotency:';

/** ApplicationFailure types a rejected update carries. Match on these, never on message text. */
export const REJECTION = {
  eventNotAllowed: 'EventNotAllowed',
  procedureNotMet: 'ProcedureNotMet',
  noPendingApproval: 'NoPendingApproval',
  selfApproval: 'SelfApproval',
  alreadyDecided: 'AlreadyDecided',
  approverRoleMissing: 'ApproverRoleMissing',
  noteNotFound: 'NoteNotFound',
  noteExists: 'NoteExists',
  notNoteAuthor: 'NotNoteAuthor',
  taskNotFound: 'TaskNotFound',
  taskExists: 'TaskExists',
  taskRequiredByApproval: 'TaskRequiredByApproval',
  evidenceNotFound: 'EvidenceNotFound',
  evidenceExists: 'EvidenceExists',
  evidenceDisposed: 'EvidenceDisposed',
  alreadyInCustody: 'AlreadyInCustody',
  incidentClosed: 'IncidentClosed',
} as const satisfies Record<string, string> & Record<ApprovalRefusal | CaseWorkRefusal | EvidenceRefusal, string>;

export interface EventNotAllowedDetails {
  event: string;
  stage: string;
  allowedEvents: string[];
}
export interface ApprovalRefusedDetails {
  event: string;
}
export interface ProcedureNotMetDetails {
  event: string;
  stage: string;
  missing: MissingProcedure;
}

export const SEARCH_ATTRIBUTES = {
  stage: defineSearchAttributeKey('IrflowStage', 'KEYWORD'),
  severity: defineSearchAttributeKey('IrflowSeverity', 'KEYWORD'),
  priority: defineSearchAttributeKey('IrflowPriority', 'KEYWORD'),
  playbook: defineSearchAttributeKey('IrflowPlaybook', 'KEYWORD'),
} as const;

/** The workflow's registered name and signature, for clients that must not import its code. */
export const INCIDENT_WORKFLOW_TYPE = 'incidentWorkflow';
export type IncidentWorkflow = (input: IncidentWorkflowInput) => Promise<void>;
