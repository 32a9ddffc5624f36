/**
 * Risk exceptions with a lifecycle, through the HTTP API on a real Temporal dev server and the test
 * database: requested, approved by two approvers (never the requester) → active; an exposure
 * closed by accepting the risk under it; an incident whose priority the exception lowered; then
 * the exception's short expiry passes (a real durable timer, asserted with generous bounds on
 * recorded events): its owner is told before, it expires, the accepted exposure reopens and the
 * other incident's priority rises again. Every step is on the signed risk audit chain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { startReceiver } from '../support/receiver.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let alice: string; // analyst, asks for the exception
let bob: string; // approver
let carol: string; // approver
let engineer: string;
let feed: string;

const EXPIRY_SECONDS = 25;
const NOTICE_SECONDS = 12;

beforeAll(async () => {
  receiver = await startReceiver();
  stack = await startStack();
  [alice, bob, carol, engineer, feed] = await Promise.all([
    stack.token(['analyst'], 'alice'),
    stack.token(['approver'], 'bob'),
    stack.token(['approver'], 'carol'),
    stack.token(['engineer'], 'erin'),
    stack.token(['ingest'], 'cloud-config'),
  ]);
  const assets = [{ id: 'cms-1', hostname: 'cms-1.prod', ips: ['10.2.0.1'], owner: 'web-team', businessUnit: 'marketing', criticality: 'high' }];
  expect((await stack.call('PUT', '/v1/context/assets', engineer, assets)).status).toBe(200);
  const channels = [
    { id: 'ciso', type: 'webhook', url: `${receiver.url}/ciso` },
    { id: 'marketing-soc', type: 'webhook', url: `${receiver.url}/marketing` },
  ];
  expect((await stack.call('PUT', '/v1/notification-channels', stack.adminToken, channels)).status).toBe(200);
  expect((await stack.call('PUT', '/v1/context/business-units', engineer, [{ id: 'marketing', name: 'Marketing', criticality: 'medium', channel: 'marketing-soc' }])).status).toBe(200);
  const rule = { id: 'open-admin', name: 'Admin port open to the internet', severity: 'high', when: 'change.kind == "firewall" && change.after.ingress.exists(r, r.cidr == "0.0.0.0/0")' };
  expect((await stack.call('POST', '/v1/exposure-rules', engineer, rule)).status).toBe(201);
});
afterAll(async () => {
  await stack?.close();
  await receiver?.close();
});

const exceptionOf = async (id: string) => (await stack.call('GET', `/v1/risk-exceptions/${id}`, alice)).body;
const incident = async (id: string) => (await stack.call('GET', `/v1/incidents/${id}`, alice)).body;

describe('risk exceptions with a lifecycle', () => {
  it('covers once two approvers other than the requester approve, and ends on expiry: the accepted exposure reopens, priority rises again', async () => {
    const expiresAt = new Date(Date.now() + EXPIRY_SECONDS * 1000).toISOString();
    const asked = await stack.call('POST', '/v1/risk-exceptions', alice, { id: 'RX-1', assetIds: ['cms-1'], expiresAt, justification: 'legacy CMS until the migration', owner: 'ciso', noticeDays: NOTICE_SECONDS / 86_400 });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    expect((await stack.call('POST', '/v1/risk-exceptions', alice, { id: 'RX-1', assetIds: ['cms-1'], expiresAt, justification: 'again', owner: 'ciso' })).status).toBe(409);
    const self = await stack.call('POST', '/v1/risk-exceptions/RX-1/decisions', alice, { decision: 'approve' });
    expect([self.status, self.body.type]).toEqual([403, 'urn:irflow:problem:self-approval']);
    expect((await stack.call('POST', '/v1/risk-exceptions/RX-1/decisions', bob, { decision: 'approve' })).body.status).toBe('requested');
    expect((await stack.call('POST', '/v1/risk-exceptions/RX-1/decisions', bob, { decision: 'approve' })).status, 'each approver once').toBe(409);
    const active = await stack.call('POST', '/v1/risk-exceptions/RX-1/decisions', carol, { decision: 'approve', comment: 'compensating WAF rule in place' });
    expect(active.status, JSON.stringify(active.body)).toBe(200);
    expect(active.body).toMatchObject({ status: 'active', pending: null });
    expect((await exceptionOf('RX-1')).status).toBe('active');
    const imported = await stack.call('PUT', '/v1/context/risk-exceptions', engineer, [{ id: 'RX-1', assetIds: ['cms-1'], expiresAt: '2030-01-01T00:00:00Z', justification: 'sneak', owner: 'x' }]);
    expect([imported.status, imported.body.type], 'an import cannot skip the approvals').toEqual([409, 'urn:irflow:problem:risk-exception-managed']);

    // An exposure on the asset, closed by accepting the risk under RX-1 (one approver signs it off).
    const change = { id: 'CHG-RX', kind: 'firewall', title: 'cms admin port', assetIds: ['cms-1'], after: { ingress: [{ cidr: '0.0.0.0/0', port: 8443 }] } };
    const exposure = (await stack.call('POST', '/v1/changes', feed, change)).body.exposures[0].incidentId as string;
    expect((await stack.call('POST', `/v1/incidents/${exposure}/transitions`, alice, { event: 'accept_risk', fields: { riskExceptionId: 'RX-1' } })).status).toBe(202);
    expect((await stack.call('POST', `/v1/incidents/${exposure}/approvals`, bob, { event: 'accept_risk', decision: 'approve' })).status).toBe(200);
    expect((await incident(exposure)).stage).toBe('closed');

    // An incident on the asset whose priority the exception lowers (urgency one step down).
    const other = (await stack.call('POST', '/v1/incidents', alice, { title: 'Suspicious login on cms-1', severity: 'high', playbook: 'quantitative', assets: [{ hostname: 'cms-1.prod' }] })).body.id as string;
    expect((await stack.call('POST', `/v1/incidents/${other}/transitions`, alice, { event: 'acknowledge' })).status).toBe(200);
    const lowered = await eventually(() => incident(other), (v) => v.priorityReason?.inputs?.riskException?.id === 'RX-1', 'the exception in the priority inputs');

    const ended = await eventually(() => exceptionOf('RX-1'), (e) => e.status === 'expired', 'the expiry', 900, 100);
    expect(ended.steps.map((s: { type: string }) => s.type)).toEqual([
      'risk_exception_requested',
      'risk_exception_approval_granted',
      'risk_exception_approval_granted',
      'risk_exception_activated',
      'risk_exception_expiring',
      'risk_exception_expired',
    ]);
    expect(ended.steps[3]).toMatchObject({ actor: 'system', data: { approvedBy: ['bob', 'carol'] } });
    expect(receiver.received.filter((r) => r.path === '/ciso').map((r) => r.json)).toEqual([expect.objectContaining({ type: 'risk_exception_expiring', exceptionId: 'RX-1', owner: 'ciso' })]);

    const reopened = await eventually(() => incident(exposure), (v) => v.stage === 'assess', 'the accepted exposure reopened');
    expect(reopened.stage).toBe('assess');
    const exposureHistory = (await stack.call('GET', `/v1/incidents/${exposure}/history`, alice)).body.events as Array<{ type: string; actor: string; to: string | null }>;
    expect(exposureHistory.filter((e) => e.actor === 'risk-exception:RX-1').map((e) => [e.type, e.to])).toEqual([
      ['risk_exception_ended', null],
      ['transitioned', 'assess'],
    ]);
    const raised = await eventually(() => incident(other), (v) => v.priorityReason?.inputs?.riskException === null, 'priority without the exception');
    expect(raised.priorityReason.urgency).toBe(lowered.priorityReason.urgency - 1);
    expect(raised.flags.riskExceptionActive).toBe(false);

    // Both incidents' ledgers verify and replay, the risk exception's steps in them.
    const auditor = await stack.token(['auditor'], 'audrey');
    for (const id of [exposure, other]) {
      const verify = await stack.call('GET', `/v1/incidents/${id}/history/verify`, auditor);
      expect(verify.body, JSON.stringify(verify.body)).toMatchObject({ valid: true });
      const replay = await stack.call('POST', `/v1/incidents/${id}/replay`, auditor);
      expect(replay.body, JSON.stringify(replay.body)).toMatchObject({ deterministic: true, machineConsistent: true });
    }
    const verified = await stack.call('GET', '/v1/audit/system/verify?chain=risk', stack.adminToken);
    expect(verified.body).toMatchObject({ valid: true, events: 6 });

    // The measured outcome: what happened on its assets while it covered; the rule in conflict.
    const outcomes = await eventually(
      () => stack.call('GET', '/v1/reports/risk-outcomes', alice),
      (r) => r.body.rows?.[0]?.incidents === 2,
      'both incidents in the risk outcome',
    );
    expect(outcomes.body.rows).toEqual([expect.objectContaining({ exceptionId: 'RX-1', owner: 'ciso', status: 'expired', incidents: 2, high: 2 })]);
    const conflicts = await eventually(
      () => stack.call('GET', '/v1/reports/policy-conflicts', alice),
      (r) => r.body.rows?.some((row: { reopenedExposures: number }) => row.reopenedExposures === 1),
      'the reopened exposure in policy conflicts',
    );
    expect(conflicts.body.rows).toContainEqual(expect.objectContaining({ ruleId: 'open-admin', businessUnit: 'marketing', exposures: 1, reopenedExposures: 1 }));

    // The business unit's digests say it too, once: the exception ended, the exposure came back.
    // Each digest covers the time since the one before, so when the daily one (06:00 UTC) fell
    // within the test, the two events may be in it rather than in the one asked for here.
    expect((await stack.call('POST', '/v1/business-units/digests', engineer)).status).toBe(202);
    type Digest = { businessUnit: string; exposuresReopened: unknown[]; exceptionsEnded: unknown[] };
    const digests = await eventually(
      async () => receiver.received.filter((r) => r.path === '/marketing' && r.json.type === 'exposure_digest').map((r) => r.json as Digest),
      (d) => d.some((x) => x.exposuresReopened.length > 0) && d.some((x) => x.exceptionsEnded.length > 0),
      'the marketing digest with the reopened exposure and the ended exception',
    );
    expect(digests.map((d) => d.businessUnit)).toEqual(digests.map(() => 'marketing'));
    expect(digests.flatMap((d) => d.exposuresReopened)).toMatchObject([{ incidentId: exposure, by: 'risk-exception:RX-1' }]);
    expect(digests.flatMap((d) => d.exceptionsEnded)).toMatchObject([{ id: 'RX-1', owner: 'ciso', status: 'expired' }]);
  }, 180_000);
});
