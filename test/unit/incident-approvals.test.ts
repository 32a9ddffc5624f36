/** The two-person rule in the workflow's state object, without Temporal. */
import { describe, expect, it } from 'vitest';
import type { ApprovalDecision } from '../../machines/approval.js';
import { IncidentLifecycle } from '../../workflows/incident.lifecycle.js';
import { pinned, shippedPlaybook } from '../support/playbooks.js';

const T = '2026-01-01T00:00:00.000Z';
const CONTAIN = { event: 'contain', actor: 'alice', fields: { containmentPlan: 'isolate web01' }, checklist: ['scope-confirmed', 'business-owner-informed'] };

function inAnalysis(): IncidentLifecycle {
  const incident = new IncidentLifecycle(
    { incidentId: 'INC-A', playbook: pinned(shippedPlaybook('quantitative')), opening: { title: 't', severity: 'high', openedBy: 'alice' } },
    T,
  );
  incident.request({ event: 'acknowledge', actor: 'alice' }, T);
  incident.request({ event: 'start_analysis', actor: 'alice' }, T);
  return incident;
}

const decision = (actor: string, extra: Partial<ApprovalDecision> = {}): ApprovalDecision => ({
  event: 'contain',
  decision: 'approve',
  actor,
  actorRoles: ['approver'],
  ...extra,
});

describe('approvals', () => {
  it('asks for the procedure first: missing fields are 422, not a pending approval', () => {
    const incident = inAnalysis();
    expect(incident.judge({ event: 'contain', actor: 'alice' })).toMatchObject({
      allowed: false,
      reason: 'procedureNotMet',
      details: { missing: { fields: ['containmentPlan'], checklist: ['scope-confirmed', 'business-owner-informed'] } },
    });
    expect(incident.judge(CONTAIN)).toEqual({ allowed: true, needsApproval: true });
  });

  it('opens one pending request; the same request again answers the same pending request', () => {
    const incident = inAnalysis();
    const first = incident.request(CONTAIN, T);
    expect(first.pendingApproval).toMatchObject({ event: 'contain', requestedBy: 'alice', required: 1, roles: ['approver'], granted: [] });
    const again = incident.request(CONTAIN, T);
    expect(again.seq).toBe(first.seq);
    expect(incident.view()).toMatchObject({ stage: 'analysis', pendingApprovals: [{ event: 'contain' }] });
  });

  it('refuses the requester, a second vote by the same approver, roles not listed, and decisions on nothing', () => {
    const incident = inAnalysis();
    expect(incident.judgeDecision(decision('bob'))).toMatchObject({ ok: false, reason: 'noPendingApproval' });
    incident.request(CONTAIN, T);
    expect(incident.judgeDecision(decision('alice'))).toMatchObject({ ok: false, reason: 'selfApproval' });
    expect(incident.judgeDecision(decision('alice', { actorRoles: ['admin'] })), 'admins too').toMatchObject({ ok: false, reason: 'selfApproval' });
    expect(incident.judgeDecision(decision('carol', { actorRoles: ['analyst'] }))).toMatchObject({ ok: false, reason: 'approverRoleMissing' });
    expect(incident.judgeDecision(decision('dave', { actorRoles: ['admin'] }))).toEqual({ ok: true });
  });

  it('transitions when the quorum is reached, recording requester and approvers', () => {
    const incident = inAnalysis();
    incident.request(CONTAIN, T);
    incident.decide(decision('bob', { comment: 'plan is sound' }), T);
    expect(incident.view()).toMatchObject({ stage: 'containment', pendingApprovals: [], fields: { containmentPlan: 'isolate web01' } });
    const steps = [];
    for (let step = incident.nextPending(); step; step = incident.nextPending()) steps.push(step), incident.markRecorded(step.seq);
    expect(steps.filter((s) => !s.type.startsWith('sla_')).slice(-3).map((s) => [s.type, s.actor])).toEqual([
      ['approval_requested', 'alice'],
      ['approval_granted', 'bob'],
      ['transitioned', 'alice'],
    ]);
    expect(steps.find((s) => s.type === 'transitioned' && s.data.event === 'contain')!.data).toMatchObject({ approvedBy: ['bob'], checklist: CONTAIN.checklist });
  });

  it('needs two distinct approvers for a quorum of two, and a reject clears the request', () => {
    const incident = inAnalysis();
    incident.request(CONTAIN, T);
    incident.decide(decision('bob'), T);
    const requires = { event: 'eradicate', actor: 'alice', checklist: ['containment-verified'] };
    incident.request(requires, T);
    incident.request({ event: 'recover', actor: 'alice', fields: { eradicationSummary: 'reimaged' } }, T);
    incident.request({ event: 'resolve', actor: 'alice', fields: { rootCause: 'phish' } }, T);
    const close = { event: 'close', actor: 'alice', fields: { lessonsLearned: 'mfa', costEstimate: 1200 }, checklist: ['kpis-reviewed', 'report-filed'] };
    incident.request(close, T);
    const afterOne = incident.decide({ ...decision('bob'), event: 'close' }, T);
    expect(afterOne.pendingApproval?.granted.map((g) => g.by)).toEqual(['bob']);
    expect(incident.judgeDecision({ ...decision('bob'), event: 'close' })).toMatchObject({ ok: false, reason: 'alreadyDecided' });
    incident.decide({ ...decision('carol'), event: 'close', decision: 'reject' }, T);
    expect(incident.view()).toMatchObject({ stage: 'review', pendingApprovals: [] });
    incident.request(close, T);
    incident.decide({ ...decision('bob'), event: 'close' }, T);
    expect(incident.view().stage).toBe('review');
    incident.decide({ ...decision('carol'), event: 'close' }, T);
    expect(incident.view().stage).toBe('closed');
  });

  it('withdraws a pending request when the incident leaves the stage, and carries it across continue-as-new', () => {
    const incident = inAnalysis();
    incident.request(CONTAIN, T);
    const carried = new IncidentLifecycle({ incidentId: 'INC-A', playbook: pinned(shippedPlaybook('quantitative')), opening: { title: 't', severity: 'high', openedBy: 'alice' }, carried: incident.carry() }, T);
    expect(carried.view().pendingApprovals).toHaveLength(1);
    incident.request({ event: 'hold', actor: 'alice' }, T);
    expect(incident.view().pendingApprovals).toEqual([]);
    const types = [];
    for (let step = incident.nextPending(); step; step = incident.nextPending()) types.push(step.type), incident.markRecorded(step.seq);
    expect(types.slice(-2)).toEqual(['transitioned', 'approval_withdrawn']);
  });
});
