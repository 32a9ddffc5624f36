import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../machines/incident.types.js';
import { replayLifecycle } from '../../machines/replay.js';
import { shippedPlaybook } from '../support/playbooks.js';

const playbook = shippedPlaybook('quantitative');
const plan = { containmentPlan: 'isolate web01' };
const checklist = ['scope-confirmed', 'business-owner-informed'];

/** A quantitative incident contained with the approvals given (actor, roles). */
function contained(grants: Array<[string, string[] | undefined]>, approvedBy = grants.map(([actor]) => actor)): AuditEvent[] {
  let seq = 0;
  const ev = (type: string, actor: string, from: string | null, to: string | null, data: Record<string, unknown> = {}): AuditEvent => ({
    seq: ++seq,
    at: `2026-01-01T00:00:${String(seq).padStart(2, '0')}.000Z`,
    type,
    actor,
    from,
    to,
    data,
  });
  return [
    ev('incident_opened', 'source:generic', null, 'new'),
    ev('transitioned', 'alice', 'new', 'triage', { event: 'acknowledge' }),
    ev('transitioned', 'alice', 'triage', 'analysis', { event: 'start_analysis' }),
    ev('approval_requested', 'alice', null, null, { event: 'contain' }),
    ...grants.map(([actor, roles]) => ev('approval_granted', actor, null, null, { event: 'contain', requestedBy: 'alice', ...(roles ? { approverRoles: roles } : {}) })),
    ev('transitioned', 'alice', 'analysis', 'containment', { event: 'contain', fields: plan, checklist, approvedBy }),
  ];
}

const problems = (events: AuditEvent[]) => replayLifecycle(playbook, events).mismatches.map((m) => m.problem);

describe('the machine replay enforces the two-person rule', () => {
  it('accepts an approval by another person with the listed role, and one recorded before roles were kept', () => {
    expect(problems(contained([['bob', ['approver']]]))).toEqual([]);
    expect(problems(contained([['bob', undefined]]))).toEqual([]);
  });

  it('refuses an approval by the requester, one without the listed role, and approvers the grants do not show', () => {
    expect(problems(contained([['alice', ['approver']]]))).toEqual(expect.arrayContaining([expect.stringContaining('approved by its requester alice'), 'contain needs 1 distinct approver(s), the log shows 0']));
    expect(problems(contained([['bob', ['analyst']]]))).toEqual([expect.stringContaining('bob approved contain (seq 5) without one of the roles approver')]);
    expect(problems(contained([['bob', ['approver']]], ['carol']))).toEqual(['contain names approvers carol, the grants say bob']);
  });

  it('refuses a transition that needs approvals with no request or no grants before it', () => {
    const none = contained([]);
    expect(problems(none)).toEqual(['contain needs 1 distinct approver(s), the log shows 0']);
    const unrequested = contained([['bob', ['approver']]]).filter((e) => e.type !== 'approval_requested');
    expect(problems(unrequested)).toEqual([expect.stringContaining('no request for them precedes it')]);
  });
});
