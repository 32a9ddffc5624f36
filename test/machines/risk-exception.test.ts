import { describe, expect, it } from 'vitest';
import { decideRiskException, dueRiskEvents, nextRiskDeadline, requestRiskException, type RiskExceptionState } from '../../machines/risk-exception.js';

const T0 = '2026-12-01T00:00:00.000Z';
const day = (n: number) => new Date(Date.parse(T0) + n * 86_400_000).toISOString();
const approver = (actor: string) => ({ type: 'approve' as const, actor, actorRoles: ['approver'] });

function approved(): RiskExceptionState {
  let { state } = requestRiskException({ id: 'RX-1', assetIds: ['A-1'], justification: 'legacy app until Q3', owner: 'ciso', expiresAt: day(30) }, 'alice', T0);
  for (const actor of ['bob', 'carol']) {
    const decided = decideRiskException(state, approver(actor), day(1));
    if (!decided.ok) throw new Error(decided.message);
    state = decided.state;
  }
  return state;
}

describe('the risk exception lifecycle', () => {
  it('waits for two approvers other than the requester, then is active', () => {
    const { state, events } = requestRiskException({ id: 'RX-1', justification: 'j', owner: 'ciso', expiresAt: day(30), ruleIds: ['open-ingress'] }, 'alice', T0);
    expect([state.status, state.required, state.roles, events[0]!.type]).toEqual(['requested', 2, ['approver'], 'risk_exception_requested']);
    expect(decideRiskException(state, approver('alice'), day(1))).toMatchObject({ ok: false, reason: 'selfApproval' });
    expect(decideRiskException(state, { type: 'approve', actor: 'dave', actorRoles: ['analyst'] }, day(1))).toMatchObject({ ok: false, reason: 'approverRoleMissing' });
    const once = decideRiskException(state, approver('bob'), day(1));
    if (!once.ok) throw new Error(once.message);
    expect(once.state.status).toBe('requested');
    expect(decideRiskException(once.state, approver('bob'), day(1))).toMatchObject({ ok: false, reason: 'alreadyDecided' });
    const twice = decideRiskException(once.state, approver('carol'), day(2));
    expect(twice).toMatchObject({ ok: true, state: { status: 'active', pending: null }, events: [{ type: 'risk_exception_approval_granted' }, { type: 'risk_exception_activated', data: { approvedBy: ['bob', 'carol'] } }] });
  });

  it('tells its owner 14 days before, then expires; nothing after', () => {
    let state = approved();
    expect(nextRiskDeadline(state)).toBe(day(16));
    expect(dueRiskEvents(state, day(15)).events).toEqual([]);
    ({ state } = dueRiskEvents(state, day(16)));
    expect([state.status, state.noticeGiven, nextRiskDeadline(state)]).toEqual(['expiring', true, day(30)]);
    const expired = dueRiskEvents(state, day(30));
    expect(expired.events).toEqual([{ type: 'risk_exception_expired', actor: 'system', at: day(30), data: { expiresAt: day(30) } }]);
    expect([expired.state.status, nextRiskDeadline(expired.state)]).toEqual(['expired', null]);
    expect(decideRiskException(expired.state, { type: 'renew', actor: 'alice', expiresAt: day(90), justification: 'again' }, day(31))).toMatchObject({ ok: false, reason: 'terminal' });
  });

  it('renews under the same two-person rule, to a later expiry only; a rejected renewal keeps it as it was', () => {
    const state = approved();
    expect(decideRiskException(state, { type: 'renew', actor: 'alice', expiresAt: day(20), justification: 'shorter' }, day(5))).toMatchObject({ ok: false, reason: 'expiryNotLater' });
    const asked = decideRiskException(state, { type: 'renew', actor: 'alice', expiresAt: day(90), justification: 'migration slipped' }, day(5));
    if (!asked.ok) throw new Error(asked.message);
    expect(decideRiskException(asked.state, { type: 'renew', actor: 'alice', expiresAt: day(95), justification: 'x' }, day(5))).toMatchObject({ ok: false, reason: 'pendingAlready' });
    const rejected = decideRiskException(asked.state, { type: 'reject', actor: 'bob', actorRoles: ['approver'] }, day(6));
    expect(rejected).toMatchObject({ ok: true, state: { status: 'active', expiresAt: day(30), pending: null }, events: [{ type: 'risk_exception_renewal_rejected' }] });
    let renewing = asked.state;
    for (const actor of ['bob', 'carol']) {
      const decided = decideRiskException(renewing, approver(actor), day(6));
      if (!decided.ok) throw new Error(decided.message);
      renewing = decided.state;
    }
    expect(renewing).toMatchObject({ status: 'active', expiresAt: day(90), renewals: 1, justification: 'migration slipped', noticeGiven: false });
  });

  it('expires a request never approved, is revoked at once, and is rejected for good', () => {
    const { state } = requestRiskException({ id: 'RX-2', assetIds: ['A-2'], justification: 'j', owner: 'o', expiresAt: day(3) }, 'alice', T0);
    expect(dueRiskEvents(state, day(3))).toMatchObject({ state: { status: 'expired' }, events: [{ type: 'risk_exception_expired', data: { approved: false } }] });
    expect(decideRiskException(approved(), { type: 'revoke', actor: 'ciso', reason: 'breach' }, day(2))).toMatchObject({ ok: true, state: { status: 'revoked', endedAt: day(2) } });
    expect(decideRiskException(state, { type: 'reject', actor: 'bob', actorRoles: ['approver'] }, day(1))).toMatchObject({ ok: true, state: { status: 'rejected' } });
  });
});
