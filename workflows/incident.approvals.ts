/**
 * The approval requests of one incident inside the workflow (two-person rule): open, decide,
 * withdraw when the stage is left. Plain and deterministic; returns audit step drafts.
 */
import { judgeApproval, quorumReached, type ApprovalDecision, type ApprovalVerdict, type PendingApproval } from '../machines/approval.js';
import type { ApprovalRequirement } from '../machines/playbook.types.js';
import { normalisedData, type StepDraft } from './incident.knowledge.js';
import type { LifecycleRequest } from './incident.messages.js';
import { CURRENT_BEHAVIOUR, type IncidentPatches } from './incident.patches.js';

export class ApprovalDesk {
  private readonly pending: Map<string, PendingApproval>;

  constructor(
    carried: PendingApproval[] = [],
    private readonly patches: Pick<IncidentPatches, 'recordApproverRoles'> = CURRENT_BEHAVIOUR,
  ) {
    this.pending = new Map(carried.map((p) => [p.event, p]));
  }

  /** The open request for this event, or a new one with its draft. */
  open(request: LifecycleRequest, stage: string, approvals: ApprovalRequirement, now: string): { pending: PendingApproval; draft?: StepDraft } {
    const open = this.pending.get(request.event);
    if (open) return { pending: open };
    const pending: PendingApproval = {
      event: request.event,
      stage,
      requestedBy: request.actor,
      requestedAt: now,
      required: approvals.count,
      roles: approvals.roles,
      granted: [],
      ...(request.fields ? { fields: request.fields } : {}),
      ...(request.checklist ? { checklist: request.checklist } : {}),
      ...(request.comment ? { comment: request.comment } : {}),
    };
    this.pending.set(request.event, pending);
    const { granted: _granted, stage: _stage, ...data } = pending;
    const named: StepDraft['data'] = request.actorName ? { actorName: request.actorName } : {};
    return { pending, draft: { type: 'approval_requested', actor: request.actor, data: { ...(data as StepDraft['data']), ...named, ...normalisedData(request.normalised) } } };
  }

  judge(decision: ApprovalDecision): ApprovalVerdict {
    return judgeApproval(this.pending.get(decision.event), decision);
  }

  /** Records a judged decision; `approved` is the request whose quorum it completed. */
  decide(decision: ApprovalDecision, now: string): { draft: StepDraft; pending?: PendingApproval; approved?: PendingApproval } {
    const pending = this.pending.get(decision.event)!;
    const note: { comment?: string } = decision.comment ? { comment: decision.comment } : {};
    const named: StepDraft['data'] = decision.actorName ? { actorName: decision.actorName } : {};
    const recorded = { ...note, ...named, ...normalisedData(decision.normalised) } as StepDraft['data'];
    const { event, requestedBy, required } = pending;
    if (decision.decision === 'reject') {
      this.pending.delete(event);
      return { draft: { type: 'approval_rejected', actor: decision.actor, data: { event, requestedBy, ...recorded } } };
    }
    pending.granted.push({ by: decision.actor, at: now, ...note });
    // With the approver's roles the machine replay can check them as the live decision did.
    const roles: StepDraft['data'] = this.patches.recordApproverRoles() ? { approverRoles: decision.actorRoles } : {};
    const draft: StepDraft = { type: 'approval_granted', actor: decision.actor, data: { event, requestedBy, granted: pending.granted.length, required, ...roles, ...recorded } };
    if (!quorumReached(pending)) return { draft, pending };
    this.pending.delete(event);
    return { draft, approved: pending };
  }

  /** Withdraws the requests made in other stages than `stage`. */
  withdrawOutside(stage: string): StepDraft[] {
    const stale = [...this.pending.values()].filter((p) => p.stage !== stage);
    for (const p of stale) this.pending.delete(p.event);
    return stale.map((p) => ({ type: 'approval_withdrawn', actor: 'system', data: { event: p.event, requestedBy: p.requestedBy, reason: `stage ${p.stage} was left` } }));
  }

  list(): PendingApproval[] {
    return [...this.pending.values()];
  }
}
