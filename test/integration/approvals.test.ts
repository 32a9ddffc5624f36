/** Approvals and the two-person rule through the API, with distinct tokens. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lifecycleOnly } from '../support/incidents.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
/** analyst and approver: she requests, and holding the approver role does not let her approve her own request */
let alice: string;
let bob: string; // approver
let carol: string; // approver
let dave: string; // analyst, not an approver

const CONTAIN = {
  event: 'contain',
  fields: { containmentPlan: 'isolate web01 at the switch' },
  checklist: ['scope-confirmed', 'business-owner-informed'],
};

beforeAll(async () => {
  stack = await startStack();
  alice = await stack.token(['analyst', 'approver'], 'alice');
  bob = await stack.token(['approver'], 'bob');
  carol = await stack.token(['approver'], 'carol');
  dave = await stack.token(['analyst'], 'dave');
});
afterAll(async () => stack?.close());

async function quantitativeIncidentIn(stage: 'analysis' | 'review'): Promise<string> {
  const created = await stack.call('POST', '/v1/incidents', alice, { title: `Approval ${stage}`, severity: 'high', playbook: 'quantitative' });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  for (const event of ['acknowledge', 'start_analysis']) expect((await stack.call('POST', `/v1/incidents/${id}/transitions`, alice, { event })).status).toBe(200);
  if (stage === 'review') {
    await stack.call('POST', `/v1/incidents/${id}/transitions`, alice, CONTAIN);
    expect((await stack.call('POST', `/v1/incidents/${id}/approvals`, bob, { event: 'contain', decision: 'approve' })).status).toBe(200);
    const steps = [
      { event: 'eradicate', checklist: ['containment-verified'] },
      { event: 'recover', fields: { eradicationSummary: 'reimaged' } },
      { event: 'resolve', fields: { rootCause: 'phished VPN credentials' } },
    ];
    for (const step of steps) expect((await stack.call('POST', `/v1/incidents/${id}/transitions`, alice, step)).status).toBe(200);
  }
  return id;
}

async function historyTypes(id: string): Promise<string[]> {
  return lifecycleOnly((await stack.call('GET', `/v1/incidents/${id}/history`, alice)).body.events as Array<{ type: string }>).map((e) => e.type);
}

describe('approvals (two-person rule)', () => {
  it('answers 202 with the pending approval, then transitions on the approval of another person', async () => {
    const id = await quantitativeIncidentIn('analysis');
    const requested = await stack.call('POST', `/v1/incidents/${id}/transitions`, alice, CONTAIN);
    expect(requested.status, JSON.stringify(requested.body)).toBe(202);
    expect(requested.body.pendingApproval).toMatchObject({ event: 'contain', requestedBy: 'alice', required: 1, granted: [] });
    expect(requested.body.incident).toMatchObject({ stage: 'analysis', pendingApprovals: [{ event: 'contain' }] });
    expect((await stack.call('GET', `/v1/incidents/${id}`, dave)).body.pendingApprovals).toHaveLength(1);

    const approved = await stack.call('POST', `/v1/incidents/${id}/approvals`, bob, { event: 'contain', decision: 'approve', comment: 'plan ok' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ stage: 'containment', pendingApprovals: [], fields: CONTAIN.fields });
    const events = lifecycleOnly((await stack.call('GET', `/v1/incidents/${id}/history`, alice)).body.events as Array<{ type: string; actor: string }>);
    const transitioned = events.at(-1);
    expect(transitioned).toMatchObject({ type: 'transitioned', actor: 'alice', from: 'analysis', to: 'containment', data: { approvedBy: ['bob'] } });
    expect(events.slice(-3).map((e: { type: string; actor: string }) => [e.type, e.actor])).toEqual([
      ['approval_requested', 'alice'],
      ['approval_granted', 'bob'],
      ['transitioned', 'alice'],
    ]);
  });

  it('refuses self-approval with 403 and records nothing', async () => {
    const id = await quantitativeIncidentIn('analysis');
    await stack.call('POST', `/v1/incidents/${id}/transitions`, alice, CONTAIN);
    const before = await historyTypes(id);
    const self = await stack.call('POST', `/v1/incidents/${id}/approvals`, alice, { event: 'contain', decision: 'approve' });
    expect(self.status).toBe(403);
    expect(self.body).toMatchObject({ type: 'urn:irflow:problem:self-approval', event: 'contain' });
    expect(await historyTypes(id)).toEqual(before);
    expect((await stack.call('GET', `/v1/incidents/${id}`, alice)).body.stage).toBe('analysis');
  });

  it('refuses a role the playbook does not list, and a decision with nothing pending', async () => {
    const id = await quantitativeIncidentIn('analysis');
    const nothing = await stack.call('POST', `/v1/incidents/${id}/approvals`, bob, { event: 'contain', decision: 'approve' });
    expect(nothing.status).toBe(409);
    // A role no playbook names as approvers is refused before anything is looked up: 403, not 409.
    const engineer = await stack.token(['engineer'], 'erin');
    for (const token of [dave, engineer]) {
      const early = await stack.call('POST', `/v1/incidents/${id}/approvals`, token, { event: 'contain', decision: 'approve' });
      expect(early.status).toBe(403);
      expect(early.body).toMatchObject({ type: 'urn:irflow:problem:approver-role-missing', detail: expect.stringContaining('approver') });
    }
    await stack.call('POST', `/v1/incidents/${id}/transitions`, alice, CONTAIN);
    const analyst = await stack.call('POST', `/v1/incidents/${id}/approvals`, dave, { event: 'contain', decision: 'approve' });
    expect(analyst.status).toBe(403);
    expect(analyst.body.type).toBe('urn:irflow:problem:approver-role-missing');
  });

  it('needs a quorum of two distinct approvers to close, and a reject clears the request', async () => {
    const id = await quantitativeIncidentIn('review');
    const close = { event: 'close', fields: { lessonsLearned: 'phishing-resistant MFA', costEstimate: 4200 }, checklist: ['kpis-reviewed', 'report-filed'] };
    const missing = await stack.call('POST', `/v1/incidents/${id}/transitions`, alice, { event: 'close' });
    expect(missing.status).toBe(422);
    expect(missing.body.missing).toMatchObject({ fields: ['lessonsLearned', 'costEstimate'], checklist: ['kpis-reviewed', 'report-filed'] });

    expect((await stack.call('POST', `/v1/incidents/${id}/transitions`, alice, close)).status).toBe(202);
    const one = await stack.call('POST', `/v1/incidents/${id}/approvals`, bob, { event: 'close', decision: 'approve' });
    expect(one.status).toBe(202);
    expect(one.body.pendingApproval.granted.map((g: { by: string }) => g.by)).toEqual(['bob']);
    expect((await stack.call('POST', `/v1/incidents/${id}/approvals`, bob, { event: 'close', decision: 'approve' })).status).toBe(409);
    const rejected = await stack.call('POST', `/v1/incidents/${id}/approvals`, carol, { event: 'close', decision: 'reject', comment: 'cost not broken down' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ stage: 'review', pendingApprovals: [] });

    expect((await stack.call('POST', `/v1/incidents/${id}/transitions`, alice, close)).status).toBe(202);
    expect((await stack.call('POST', `/v1/incidents/${id}/approvals`, carol, { event: 'close', decision: 'approve' })).status).toBe(202);
    const closed = await stack.call('POST', `/v1/incidents/${id}/approvals`, bob, { event: 'close', decision: 'approve' });
    expect(closed.status).toBe(200);
    expect(closed.body.stage).toBe('closed');
    const types = await historyTypes(id);
    expect(types.filter((t) => t.startsWith('approval_'))).toEqual([
      'approval_requested', 'approval_granted', // contain
      'approval_requested', 'approval_granted', 'approval_rejected', // first close request
      'approval_requested', 'approval_granted', 'approval_granted', // second
    ]);
    const auditor = await stack.token(['auditor']);
    expect((await stack.call('GET', `/v1/incidents/${id}/history/verify`, auditor)).body.valid).toBe(true);
    // The grants carry the approvers' roles, and the machine replay checks the two-person rule as the live gate did.
    const grants = (await stack.call('GET', `/v1/incidents/${id}/history`, auditor)).body.events.filter((e: { type: string }) => e.type === 'approval_granted');
    expect(grants.map((g: { data: { approverRoles?: string[] } }) => g.data.approverRoles)).toEqual([['approver'], ['approver'], ['approver'], ['approver']]);
    const replay = await stack.call('POST', `/v1/incidents/${id}/replay`, auditor);
    expect(replay.body).toMatchObject({ deterministic: true, machineConsistent: true, mismatches: [] });
  });
});
