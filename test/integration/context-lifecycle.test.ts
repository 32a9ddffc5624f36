/**
 * Context gathering in a running incident: findings with provenance, flags, a priority that
 * moves with context and says why, new alerts enriching only what they add, a failing source
 * recorded without blocking, and nothing lost or doubled across a worker restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterLookups, alertBody, postAlert, walkTo, withoutLookups } from '../support/incidents.js';
import { WORLD } from '../support/context.js';
import { freePort } from '../../runtime/ports.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let ingest: string;
let analyst: string;

beforeAll(async () => {
  stack = await startStack();
  ingest = await stack.token(['ingest']);
  analyst = await stack.token(['analyst'], 'alice');
  const engineer = await stack.token(['engineer']);
  for (const [kind, rows] of Object.entries(WORLD)) expect((await stack.call('PUT', `/v1/context/${kind}`, engineer, rows)).status).toBe(200);
});
afterAll(async () => stack?.close());

const view = async (id: string) => (await stack.call('GET', `/v1/incidents/${id}`, analyst)).body;

describe('context in the lifecycle', () => {
  it('gathers every kind on entering the first stage; change and intel move the priority, and it says why', async () => {
    const { incidentId } = await postAlert(
      stack,
      ingest,
      alertBody({ severity: 'medium', rule: { id: 'web-shell' }, assets: [{ hostname: 'web01' }], observables: [{ type: 'domain', value: 'evil.example' }] }),
    );
    const events = await afterLookups(stack, analyst, incidentId, 5);
    const gathered = events.filter((e) => e.type === 'context_gathered');
    expect(gathered.map((e) => e.data.kind).sort()).toEqual(['asset', 'business-unit', 'change', 'intel', 'risk-exception']);
    expect(gathered.find((e) => e.data.kind === 'change')!.data.added.map((f: { key: string }) => f.key)).toEqual(['CHG-RECENT']);

    const incident = await view(incidentId);
    expect(incident.context.assets.map((f: { key: string }) => f.key)).toEqual(['A-WEB01']);
    expect(incident.context.businessUnits[0]).toMatchObject({ key: 'payments', provenance: { source: 'irflow:business-unit', ttl: 3600 } });
    expect(incident.context.intel.map((f: { key: string }) => f.key)).toEqual(['domain:evil.example']);
    expect(incident.flags).toEqual({ possibleChangeRelated: true, riskExceptionActive: false });
    // Impact 1 (high asset in a critical unit); urgency medium → 2, raised by malicious intel (90) → 1.
    expect(incident.priority).toBe('P1');
    expect(incident.priorityReason).toMatchObject({
      impact: 1,
      urgency: 1,
      cell: 'impact 1 × urgency 1 → P1 (Critical)',
      inputs: { severity: 'medium', highestCriticality: 'critical', maliciousIntel: { indicator: 'evil.example', confidence: 90 }, riskException: null },
    });
    const changes = events.filter((e) => e.type === 'priority_changed');
    expect(changes.length).toBeGreaterThan(0);
    // Inputs may change later without moving the priority (no event then): the cell is what moved.
    expect(changes.at(-1)!.data).toMatchObject({ to: 'P1', cell: incident.priorityReason.cell, inputs: { severity: 'medium' } });
    expect(changes.map((c) => c.data.from)[0]).toBe('P4'); // medium alert, nothing known: impact 3 × urgency 2
  });

  it('lowers urgency for an active risk exception and keeps unknown assets at low impact', async () => {
    const { incidentId } = await postAlert(stack, ingest, alertBody({ severity: 'high', rule: { id: 'plugin' }, assets: [{ hostname: 'cms01' }] }));
    await afterLookups(stack, analyst, incidentId, 5);
    const incident = await view(incidentId);
    expect(incident.flags).toEqual({ possibleChangeRelated: true, riskExceptionActive: true });
    expect(incident.priorityReason).toMatchObject({ impact: 3, urgency: 2, inputs: { riskException: { id: 'RX-CMS' } } });
    expect(incident.priority).toBe('P4');
  });

  it('enriches only what a joining alert adds', async () => {
    const key = { rule: { id: 'dropper' }, assets: [{ hostname: 'web01' }] };
    const first = await postAlert(stack, ingest, alertBody({ ...key, severity: 'low' }));
    await afterLookups(stack, analyst, first.incidentId, 5);
    await postAlert(stack, ingest, alertBody({ ...key, severity: 'low', observables: [{ type: 'hash', value: 'd41d8cd98f00b204e9800998ecf8427e' }] }));
    const events = await afterLookups(stack, analyst, first.incidentId, 10);
    const second = events.filter((e) => e.type === 'context_gathered').slice(5);
    const intel = second.find((e) => e.data.kind === 'intel')!;
    expect(intel.data.added.map((f: { key: string }) => f.key)).toEqual(['hash:d41d8cd98f00b204e9800998ecf8427e']);
    expect(second.find((e) => e.data.kind === 'asset')!.data, 'web01 was looked up already').toMatchObject({ found: 0, added: [] });
  });

  it('neither loses nor doubles lookups across a worker restart', async () => {
    const { incidentId } = await postAlert(stack, ingest, alertBody({ assets: [{ hostname: 'web01' }] }));
    await stack.stopWorker();
    await stack.startWorker();
    await walkTo(stack, analyst, incidentId, ['acknowledge', 'start_analysis']);
    const events = await afterLookups(stack, analyst, incidentId, 7);
    const settled = events;
    const kinds = settled.filter((e) => e.type === 'context_gathered').map((e) => e.data.kind).sort();
    expect(kinds).toEqual(['asset', 'business-unit', 'change', 'change', 'intel', 'intel', 'risk-exception']);
    expect(settled.map((e) => e.seq)).toEqual(settled.map((_, i) => i + 1));
    // A context step may land between two transitions: compare as sets, in seq order each.
    expect(withoutLookups(settled).map((e) => e.type).sort()).toEqual(['alert_received', 'incident_opened', 'priority_changed', 'transitioned', 'transitioned']);
  });

  it('lists incidents by priority, P1 first, and filters by it', async () => {
    const sorted = (await stack.call('GET', '/v1/incidents?sort=priority&limit=200', analyst)).body.incidents as Array<{ priority: string }>;
    expect(sorted.map((i) => i.priority)).toEqual([...sorted.map((i) => i.priority)].sort());
    const paged = await stack.call('GET', '/v1/incidents?sort=priority&limit=1', analyst);
    const next = await stack.call('GET', `/v1/incidents?sort=priority&limit=1&cursor=${paged.body.nextCursor}`, analyst);
    expect(next.body.incidents[0].priority >= paged.body.incidents[0].priority).toBe(true);
    const p1 = (await stack.call('GET', '/v1/incidents?priority=P1', analyst)).body.incidents as Array<{ priority: string }>;
    expect(p1.length).toBeGreaterThan(0);
    expect(p1.every((i) => i.priority === 'P1')).toBe(true);
  });
});

describe('a failing context source', () => {
  let failing: Stack;
  beforeAll(async () => {
    // Nothing listens on a port just found free: every intel lookup is refused.
    const port = await freePort();
    failing = await startStack({ connectorEnv: { IRFLOW_CONTEXT_INTEL_URL: `http://127.0.0.1:${port}/intel`, IRFLOW_CONTEXT_INTEL_TIMEOUT_MS: '500' } });
  });
  afterAll(async () => failing?.close());

  it('is recorded as enrichment_failed with the reason and never blocks the lifecycle', async () => {
    const token = await failing.token(['ingest', 'analyst']);
    const { incidentId } = await postAlert(failing, token, alertBody({ observables: [{ type: 'ip', value: '203.0.113.9' }] }));
    expect((await walkTo(failing, token, incidentId, ['acknowledge'])).stage).toBe('triage');
    const events = await afterLookups(failing, token, incidentId, 5);
    const failed = events.filter((e) => e.type === 'enrichment_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ actor: 'context:intel', data: { kind: 'intel', reason: expect.stringMatching(/fetch failed|ECONNREFUSED/) } });
  });
});
