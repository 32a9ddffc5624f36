/**
 * The incident inside the workflow, with its case work: notes, tasks, evidence, observables
 * added by hand, links and merges on top of the lifecycle core (incident.core.ts). Plain and
 * deterministic, no Temporal imports; every accepted step goes to the outbox.
 */
import { MERGED_EVENT, mergeClose } from '../machines/merge.js';
import { findTransition } from '../machines/procedure.js';
import { observableDraft, type CaseWorkVerdict, type LinkRequest, type NoteRequest, type ObservableRequest, type TaskRequest } from './incident.casework.js';
import { IncidentCore } from './incident.core.js';
import type { EvidenceRequest, EvidenceVerdict } from './incident.evidence.js';
import { lifecycleEvent } from './incident.gate.js';
import type { RiskExceptionEnded } from './incident.messages.js';
import type { PlaybookDocument } from '../machines/playbook.types.js';

export type { EnrichmentRequest, RequestOutcome, Verdict } from './incident.core.js';

export class IncidentLifecycle extends IncidentCore {
  judgeNote = (request: NoteRequest): CaseWorkVerdict => this.casework.judgeNote(request);
  note = (request: NoteRequest, now: string): number => this.queueDrafts([this.casework.note(request)], now);

  /** A task required by a transition waiting for approval stays done until the approval is decided. */
  judgeTask = (request: TaskRequest): CaseWorkVerdict =>
    this.casework.judgeTask(request, (taskId) => this.approvals.list().find((p) => findTransition(this.input.playbook.document, this.stage, p.event)?.requires?.tasks?.includes(taskId))?.event);
  task = (request: TaskRequest, now: string): number => this.queueDrafts([this.casework.task(request, this.stage, now)], now);

  judgeEvidence = (request: EvidenceRequest): EvidenceVerdict => this.casework.judgeEvidence(request);
  evidence = (request: EvidenceRequest, now: string): number => this.queueDrafts([this.casework.recordEvidence(request)], now);

  /** An observable added by hand joins the subject; the stage's context lookups ask about it when new. */
  observe(request: ObservableRequest, now: string): number {
    this.contextRequests.alertAdded(this.stage, this.knowledge.extendSubject({ hostnames: [], ips: [], ruleIds: [], observables: [request.observable] }));
    return this.queueDrafts([observableDraft(request)], now);
  }

  /** A closed incident takes part in no merge, except in the one that closed it (a retry). */
  judgeLink(request: LinkRequest): CaseWorkVerdict {
    if (request.op === 'link' || !this.input.playbook.document.stages[this.stage]?.closed) return { ok: true };
    if (request.op === 'mergeInto' && this.casework.mergedInto === request.into) return { ok: true };
    return { ok: false, reason: 'incidentClosed', message: `incident ${this.input.incidentId} is closed (${this.stage}): it can take part in no merge` };
  }

  link(request: LinkRequest, now: string): number {
    if (request.op === 'link') {
      const draft = this.casework.link(request.incidentId, request.relation, request.actor, now);
      return draft ? this.queueDrafts([draft], now) : this.lastSeq;
    }
    if (request.op === 'absorb') return this.queueDrafts(this.casework.absorb(request, now), now);
    if (this.casework.mergedInto === request.into) return this.lastSeq;
    this.queueDrafts(this.casework.mergeInto(request, now), now);
    return this.closeAsMerged(request.into, request.actor, now);
  }

  /**
   * A risk exception ended: priority is judged without it, and a closure that accepted the risk
   * under it (field riskExceptionId) reopens through the closed stage's way back, when it has one.
   */
  riskExceptionEnded(ended: RiskExceptionEnded, now: string): void {
    const drafts = this.knowledge.endRiskException(ended.exceptionId, ended.endedAt, now);
    const closedUnderIt = Boolean(this.input.playbook.document.stages[this.stage]?.closed) && this.snapshot.context.fields.riskExceptionId === ended.exceptionId;
    if (drafts === null && !closedUnderIt) return;
    const actor = `risk-exception:${ended.exceptionId}`;
    this.queueKnowledge([{ type: 'risk_exception_ended', actor, data: { exceptionId: ended.exceptionId, reason: ended.reason, endedAt: ended.endedAt } }, ...(drafts ?? [])], now);
    if (!closedUnderIt) return;
    const reopen = reopenEvent(this.input.playbook.document, this.stage);
    const request = { event: reopen ?? '', actor, comment: `risk exception ${ended.exceptionId} ${ended.reason}` };
    if (reopen && this.snapshot.can(lifecycleEvent(request, now))) this.apply(request, now);
  }

  /** Through the playbook's duplicate path when the machine takes it, else the `merged` close. */
  private closeAsMerged(into: string, actor: string, now: string): number {
    const close = mergeClose(this.input.playbook.document, this.stage, into);
    const comment = `merged into ${into}`;
    if (close.event !== MERGED_EVENT && this.snapshot.can(lifecycleEvent({ event: close.event, actor, fields: close.fields }, now))) {
      return this.apply({ event: close.event, actor, fields: close.fields, comment }, now);
    }
    return this.apply({ event: MERGED_EVENT, actor, fields: { mergedInto: into }, comment }, now);
  }
}

/** The way out of a closed stage back into the work: `reopen` where the stage has it, else its first event to an open stage. */
function reopenEvent(document: PlaybookDocument, stage: string): string | undefined {
  const events = Object.entries(document.stages[stage]?.on ?? {});
  const open = events.filter(([, t]) => !document.stages[t.to]?.closed).map(([event]) => event);
  return open.includes('reopen') ? 'reopen' : open[0];
}
