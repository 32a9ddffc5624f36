/** Alert intake: de-duplication, correlation into open incidents, severity roll-up. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertBody, postAlert, walkTo } from '../support/incidents.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let ingest: string;
let analyst: string;

beforeAll(async () => {
  stack = await startStack();
  ingest = await stack.token(['ingest'], 'siem');
  analyst = await stack.token(['analyst'], 'alice');
});
afterAll(async () => stack?.close());

async function incident(id: string) {
  const response = await stack.call('GET', `/v1/incidents/${id}`, analyst);
  expect(response.status).toBe(200);
  return response.body;
}

async function settled(id: string, alertCount: number) {
  // The projection follows the 202 within moments (GET answers from the workflow meanwhile).
  for (let i = 0; i < 100; i += 1) {
    const row = await stack.database.db.query.incidents.findFirst({ where: (t, { eq }) => eq(t.id, id) });
    if (row?.alertCount === alertCount) return incident(id);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`incident ${id} never showed ${alertCount} alerts`);
}

describe('alert intake', () => {
  it('answers a repeated alert with the first answer, marked deduplicated, and counts it once', async () => {
    const body = alertBody();
    const first = await postAlert(stack, ingest, body);
    expect(first).toMatchObject({ deduplicated: false, incidentId: expect.stringMatching(/^INC-\d{8}-[0-9A-Z]{8}$/) });
    const again = await postAlert(stack, ingest, { ...body, title: 'changed title' });
    expect(again).toEqual({ ...first, deduplicated: true });
    await settled(first.incidentId, 1);
    const history = await stack.call('GET', `/v1/incidents/${first.incidentId}/history`, analyst);
    expect(history.body.events.filter((e: { type: string }) => e.type === 'alert_received')).toHaveLength(1);
  });

  it('correlates alerts by source, rule and first asset into one open incident, raising its severity', async () => {
    const a = await postAlert(stack, ingest, alertBody({ rule: { id: 'brute-force' }, assets: [{ hostname: 'vpn01' }], severity: 'low' }));
    const b = await postAlert(stack, ingest, alertBody({ rule: { id: 'brute-force' }, assets: [{ hostname: 'VPN01' }], severity: 'high' }));
    const other = await postAlert(stack, ingest, alertBody({ rule: { id: 'brute-force' }, assets: [{ hostname: 'vpn02' }] }));
    const byIp = await postAlert(stack, ingest, alertBody({ rule: { id: 'brute-force' }, assets: [{ ip: '10.0.0.7' }] }));
    expect(b.incidentId).toBe(a.incidentId);
    expect(other.incidentId).not.toBe(a.incidentId);
    expect(byIp.incidentId).not.toBe(a.incidentId);
    const view = await settled(a.incidentId, 2);
    expect(view).toMatchObject({ severity: 'high', priority: 'P3' });
  });

  it('opens a new incident for the key once the old one is closed', async () => {
    const key = { rule: { id: 'malware' }, assets: [{ hostname: 'ws-17' }] };
    const first = await postAlert(stack, ingest, alertBody(key));
    await walkTo(stack, analyst, first.incidentId, ['acknowledge', 'close_false_positive']);
    const next = await postAlert(stack, ingest, alertBody(key));
    expect(next.incidentId).not.toBe(first.incidentId);
    const followUp = await postAlert(stack, ingest, alertBody(key));
    expect(followUp.incidentId).toBe(next.incidentId);
  });

  it('keeps alerts without rule or asset apart', async () => {
    const a = await postAlert(stack, ingest, alertBody({ rule: undefined, assets: undefined }));
    const b = await postAlert(stack, ingest, alertBody({ rule: undefined, assets: undefined }));
    expect(a.incidentId).not.toBe(b.incidentId);
  });

  it('takes an array and answers per alert, in order', async () => {
    const shared = { rule: { id: 'dlp' }, assets: [{ hostname: 'fs01' }] };
    const batch = [alertBody(shared), alertBody(shared), alertBody({ ...shared, assets: [{ hostname: 'fs02' }] })];
    const answers = await postAlert(stack, ingest, batch);
    expect(answers).toHaveLength(3);
    expect(answers[0].incidentId).toBe(answers[1].incidentId);
    expect(answers[2].incidentId).not.toBe(answers[0].incidentId);
    await settled(answers[0].incidentId, 2);
  });

  it('rejects bad alerts whole, with the field at fault, writing nothing', async () => {
    const good = alertBody();
    const bad = { ...alertBody(), severity: 'apocalyptic', colour: 'red' };
    const response = await stack.call('POST', '/v1/alerts/generic', ingest, [good, bad]);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { path: 'body.1.severity', message: expect.stringContaining('must be one of') },
        { path: 'body.1.colour', message: 'unknown field' },
      ]),
    );
    const replay = await postAlert(stack, ingest, good);
    expect(replay.deduplicated, 'the good alert of the rejected batch was not stored').toBe(false);

    const twice = await stack.call('POST', '/v1/alerts/generic', ingest, [good, good]);
    expect(twice.status).toBe(400);
    // An unknown source is no route for POST: the path is an alert's (GET) - 405 with Allow.
    const unknown = await stack.call('POST', '/v1/alerts/syslog', ingest, alertBody());
    expect(unknown.status).toBe(405);
    expect(unknown.headers.allow).toBe('GET, HEAD');
  });

  it('answers deduplicated: false exactly once for an alert posted many times at once, alone or in batches', async () => {
    const body = alertBody();
    const requests = Array.from({ length: 199 }, (_, i) => (i % 3 === 0 ? [alertBody(), body] : body));
    const answers = await Promise.all(requests.map((payload) => stack.call('POST', '/v1/alerts/generic', ingest, payload)));
    expect(answers.map((a) => a.status).filter((s) => s !== 202), 'every request is accepted').toEqual([]);
    const mine = answers.map((a) => (Array.isArray(a.body) ? a.body[1] : a.body));
    expect(mine.filter((a) => !a.deduplicated), 'exactly one answer says it was new').toHaveLength(1);
    expect(new Set(mine.map((a) => `${a.alertId}|${a.incidentId}`)).size, 'every answer names the same alert and incident').toBe(1);
    await settled(mine[0].incidentId, 1);
  });

  it('takes a batch of 500 alerts spread over 50 incidents, each incident holding its alerts once', async () => {
    const batch = Array.from({ length: 500 }, (_, i) => alertBody({ rule: { id: 'batch-rule' }, assets: [{ hostname: `batch-host-${i % 50}` }], severity: i % 50 === 7 ? 'critical' : 'low' }));
    const response = await stack.call('POST', '/v1/alerts/generic', ingest, batch);
    expect(response.status, JSON.stringify(response.body).slice(0, 500)).toBe(202);
    const answers = response.body as Array<{ incidentId: string; deduplicated: boolean }>;
    expect(answers.filter((a) => a.deduplicated)).toEqual([]);
    const incidents = new Map<string, number>();
    for (const a of answers) incidents.set(a.incidentId, (incidents.get(a.incidentId) ?? 0) + 1);
    expect([...incidents.values()]).toEqual(Array(50).fill(10));
    expect((await settled(answers[7]!.incidentId, 10)).severity).toBe('critical');
    const again = await stack.call('POST', '/v1/alerts/generic', ingest, batch);
    expect((again.body as typeof answers).every((a, i) => a.deduplicated && a.incidentId === answers[i]!.incidentId)).toBe(true);
  });

  it('refuses a batch above 500 before looking at its alerts, with a small answer', async () => {
    const huge = JSON.stringify(Array.from({ length: 100_000 }, () => ({})));
    const response = await stack.app.inject({ method: 'POST', url: '/v1/alerts/generic', headers: { authorization: `Bearer ${ingest}`, 'content-type': 'application/json' }, payload: huge });
    expect(response.statusCode).toBe(413);
    expect(response.body.length).toBeLessThan(1_000);
    expect(response.json().detail).toMatch(/at most 500 items per request; this one has 100000/);
  });
});
