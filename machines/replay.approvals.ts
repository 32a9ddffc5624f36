/**
 * The two-person rule over an audit log, as the live workflow applied it: a transition whose gate
 * needs approvals must follow a request for it and enough grants since that request, by distinct
 * approvers, none of them its requester, each holding one of the listed roles where the ledger
 * recorded the approver's roles (grants recorded before roles were kept are checked for the
 * rest). Pure: the audit log is data.
 */
import { holdsListedRole } from './approval.js';
import type { AuditEvent } from './incident.types.js';
import type { ApprovalRequirement } from './playbook.types.js';

interface ApprovalData {
  event?: string;
  approverRoles?: string[];
  approvedBy?: string[];
}

const dataOf = (e: AuditEvent) => (e.data ?? {}) as ApprovalData;

/** What is wrong with the approvals of `transition` (the event `name`); nothing when they hold. */
export function approvalProblems(events: AuditEvent[], transition: AuditEvent, name: string, requirement: ApprovalRequirement | undefined): string[] {
  if (!requirement) return [];
  const before = events.filter((e) => e.seq < transition.seq);
  const request = before.findLast((e) => e.type === 'approval_requested' && dataOf(e).event === name);
  if (!request) return [`${name} needs ${requirement.count} approval(s), but no request for them precedes it`];
  const grants = before.filter((e) => e.seq > request.seq && e.type === 'approval_granted' && dataOf(e).event === name);
  const problems: string[] = [];
  const self = grants.find((g) => g.actor === request.actor);
  if (self) problems.push(`${name} was approved by its requester ${self.actor} (seq ${self.seq}): the two-person rule`);
  const approvers = new Set(grants.filter((g) => g.actor !== request.actor).map((g) => g.actor));
  if (approvers.size < requirement.count) problems.push(`${name} needs ${requirement.count} distinct approver(s), the log shows ${approvers.size}`);
  for (const grant of grants) {
    const roles = dataOf(grant).approverRoles;
    if (roles && !holdsListedRole(roles, requirement)) problems.push(`${grant.actor} approved ${name} (seq ${grant.seq}) without one of the roles ${requirement.roles.join(', ')}`);
  }
  const recorded = dataOf(transition).approvedBy;
  if (recorded && [...approvers].some((a) => !recorded.includes(a))) problems.push(`${name} names approvers ${recorded.join(', ')}, the grants say ${[...approvers].join(', ')}`);
  return problems;
}
