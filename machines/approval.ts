/**
 * Approvals and the two-person rule: a transition whose procedure asks for approvals waits as a
 * pending request until enough distinct holders of the listed roles, none of them the
 * requester, approve it; one reject clears it. Pure rules; the workflow keeps the state.
 */
import type { ApprovalRequirement } from './playbook.types.js';
import type { Fields } from './procedure.js';

export interface ApprovalGrant {
  by: string;
  at: string;
  comment?: string;
}

export interface PendingApproval {
  event: string;
  /** The stage the request was made in; leaving it withdraws the request. */
  stage: string;
  requestedBy: string;
  requestedAt: string;
  required: number;
  roles: string[];
  granted: ApprovalGrant[];
  /** What the requester gave; applied with the transition once approved. */
  fields?: Fields;
  checklist?: string[];
  comment?: string;
}

export interface ApprovalDecision {
  event: string;
  decision: 'approve' | 'reject';
  actor: string;
  /** The person's name where the identity provider gives one; recorded beside `actor`, never compared. */
  actorName?: string;
  actorRoles: string[];
  comment?: string;
  /** Places whose text was made storable on intake; recorded with the decision. */
  normalised?: string[];
}

export type ApprovalRefusal = 'noPendingApproval' | 'selfApproval' | 'alreadyDecided' | 'approverRoleMissing';

export type ApprovalVerdict = { ok: true } | { ok: false; reason: ApprovalRefusal; message: string };

/** `admin` holds every role, but is still bound by the two-person rule. */
export function holdsListedRole(actorRoles: string[], requirement: Pick<ApprovalRequirement, 'roles'>): boolean {
  return actorRoles.includes('admin') || actorRoles.some((role) => requirement.roles.includes(role));
}

export function judgeApproval(pending: PendingApproval | undefined, decision: ApprovalDecision): ApprovalVerdict {
  if (!pending) return { ok: false, reason: 'noPendingApproval', message: `no approval is pending for ${decision.event}` };
  if (decision.actor === pending.requestedBy) {
    return { ok: false, reason: 'selfApproval', message: `${decision.actor} requested ${decision.event} and may not decide on it (two-person rule)` };
  }
  if (pending.granted.some((grant) => grant.by === decision.actor)) {
    return { ok: false, reason: 'alreadyDecided', message: `${decision.actor} already approved ${decision.event}` };
  }
  if (!holdsListedRole(decision.actorRoles, pending)) {
    return { ok: false, reason: 'approverRoleMissing', message: `deciding on ${decision.event} needs one of the roles ${pending.roles.join(', ')}` };
  }
  return { ok: true };
}

export function quorumReached(pending: PendingApproval): boolean {
  return new Set(pending.granted.map((grant) => grant.by)).size >= pending.required;
}
