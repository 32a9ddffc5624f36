/**
 * CMMI level 5 from a data set built through the HTTP API alone (real Temporal dev server, test
 * database): an exposure an alert reported, worked to closure with its remediation validated, and a
 * risk decision taken through its lifecycle, make level 4 - not 5, since no exposure rule opened
 * anything from a configuration change; once a posted change makes a rule open one, worked the
 * same way, the operation is at level 5.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let alice: string; // analyst
let bob: string; // approver
let carol: string; // approver
let engineer: string;
let ingest: string;
let auditor: string;

beforeAll(async () => {
  stack = await startStack();
  [alice, bob, carol, engineer, ingest, auditor] = await Promise.all([
    stack.token(['analyst'], 'alice'),
    stack.token(['approver'], 'bob'),
    stack.token(['approver'], 'carol'),
    stack.token(['engineer'], 'erin'),
    stack.token(['ingest'], 'siem'),
    stack.token(['auditor'], 'audrey'),
  ]);
  expect((await stack.call('PUT', '/v1/context/business-units', engineer, [{ id: 'cloud', name: 'Cloud platform', criticality: 'high' }])).status).toBe(200);
  const assets = ['api-1', 'api-2'].map((id, i) => ({ id, hostname: `${id}.cloud`, ips: [`10.4.0.${i + 1}`], owner: 'platform', businessUnit: 'cloud', criticality: 'high' }));
  expect((await stack.call('PUT', '/v1/context/assets', engineer, assets)).status).toBe(200);
  const rule = { id: 'sg-open', name: 'Security group open to the internet', severity: 'high', when: 'change.kind == "firewall" && change.after.ingress.exists(r, r.cidr == "0.0.0.0/0")' };
  expect((await stack.call('POST', '/v1/exposure-rules', engineer, rule)).status).toBe(201);
});
afterAll(async () => stack?.close());

const stageOf = async (id: string) => (await stack.call('GET', `/v1/incidents/${id}`, alice)).body.stage as string;

/** Assess, remediate, validate with a clean rescan, close with the root cause. */
async function workToClosure(id: string): Promise<void> {
  await eventually(() => stageOf(id), (stage) => stage === 'detect', `${id} open`);
  const steps: Array<Record<string, unknown>> = [
    { event: 'assess' },
    { event: 'remediate', fields: { exposure: 'ssh open to the internet', changeId: 'CHG-M' } },
    { event: 'validate', checklist: ['change-rolled-back-or-fixed'] },
    { event: 'close', fields: { rootCause: 'misconfiguration' }, checklist: ['rescan-clean'] },
  ];
  for (const step of steps) {
    const moved = await stack.call('POST', `/v1/incidents/${id}/transitions`, alice, step);
    expect(moved.status, `${id} ${String(step.event)}: ${JSON.stringify(moved.body)}`).toBe(200);
  }
}

async function maturity() {
  const body = (await stack.call('GET', '/v1/maturity', auditor)).body;
  const failing = body.levels.flatMap((l: { criteria: Array<{ id: string; passes: boolean }> }) => l.criteria).filter((c: { passes: boolean }) => !c.passes).map((c: { id: string }) => c.id);
  return { level: body.level as number, failing: failing as string[] };
}

describe('maturity from the exposure loop, built through the API', () => {
  it('is level 4 with exposures alerts reported, and level 5 once a rule opened one from a configuration change', async () => {
    const alert = { sourceId: 'cspm-1', title: 'Port 22 open on api-1', severity: 'high', category: 'exposure', rule: { id: 'cspm-ssh' }, assets: [{ hostname: 'api-1.cloud' }] };
    const reported = await stack.call('POST', '/v1/alerts/generic', ingest, alert);
    expect(reported.status, JSON.stringify(reported.body)).toBe(202);
    await workToClosure(reported.body.incidentId as string);

    const expiresAt = new Date(Date.now() + 90 * 86_400_000).toISOString();
    expect((await stack.call('POST', '/v1/risk-exceptions', alice, { id: 'RX-M', ruleIds: ['cspm-ssh'], expiresAt, justification: 'bastion host by design', owner: 'platform' })).status).toBe(201);
    for (const approver of [bob, carol]) expect((await stack.call('POST', '/v1/risk-exceptions/RX-M/decisions', approver, { decision: 'approve' })).status).toBe(200);

    const withoutRules = await eventually(maturity, (m) => m.failing.length === 1, 'every criterion but the rule-driven exposures');
    expect(withoutRules).toEqual({ level: 4, failing: ['exposure-from-configuration-change'] });

    const change = { id: 'CHG-M', kind: 'firewall', title: 'sg-api ingress', assetIds: ['api-2'], after: { ingress: [{ cidr: '0.0.0.0/0', port: 22 }] } };
    const opened = await stack.call('POST', '/v1/changes', ingest, change);
    expect(opened.body.exposures).toHaveLength(1);
    await workToClosure(opened.body.exposures[0].incidentId as string);
    const withRules = await eventually(maturity, (m) => m.level === 5, 'level 5');
    expect(withRules).toEqual({ level: 5, failing: [] });
  }, 120_000);
});
