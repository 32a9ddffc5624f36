/**
 * SIEM intake through the HTTP API on a real Temporal dev server: each source's payload, as the
 * source sends it, becomes an incident with the right severity, asset, observables and
 * techniques; repeats and Sentinel updates are duplicates; keys bound to sources; `?token=` on
 * alert intake only; a bad NDJSON line stores nothing; a playbook's own correlation key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiemSource } from '../../machines/adapters/index.js';
import { eventually } from '../support/eventually.js';
import { elasticAlert, ocsfFinding, sentinelTrigger, splunkWebhook, wazuhAlert, wazuhSyscheckAlert } from '../support/siem-payloads.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let ingest: string;
let analyst: string;
/** The API's log lines, to check what they never show. */
const logLines: string[] = [];

const INTEL = [
  { indicator: '203.0.113.77', type: 'ip', verdict: 'malicious', confidence: 90, source: 'misp' },
  { indicator: 'cdn.evil-updates.example', type: 'domain', verdict: 'malicious', confidence: 80, source: 'otx' },
];

beforeAll(async () => {
  stack = await startStack({ logger: { level: 'info', stream: { write: (line: string) => void logLines.push(line) } } });
  ingest = await stack.token(['ingest'], 'siem');
  analyst = await stack.token(['analyst'], 'alice');
  const engineer = await stack.token(['engineer'], 'eve');
  expect((await stack.call('PUT', '/v1/context/intel', engineer, INTEL)).status).toBe(200);
});
afterAll(async () => stack?.close());

const post = (source: SiemSource, body: unknown, token = ingest, headers: Record<string, string> = {}) =>
  stack.call('POST', `/v1/alerts/${source}`, token, typeof body === 'string' ? body : JSON.stringify(body), { 'content-type': 'application/json', ...headers });

async function incidentOf(incidentId: string, alertCount = 1) {
  return eventually(
    async () => (await stack.call('GET', `/v1/incidents/${incidentId}`, analyst)).body,
    (view) => view?.alertCount === alertCount && view.context !== undefined,
    `incident ${incidentId} with ${alertCount} alerts`,
  );
}

const CASES: Array<[SiemSource, unknown, { severity: string; asset: object; observable: object; technique: string }]> = [
  ['wazuh', wazuhAlert({ id: 'it-1' }), { severity: 'high', asset: { hostname: 'web-01', ip: '10.0.4.21' }, observable: { type: 'ip', value: '203.0.113.77' }, technique: 'T1110' }],
  ['elastic', elasticAlert({ uuid: 'it-elastic-1', severity: 'critical' }), { severity: 'critical', asset: { hostname: 'fin-ws-17', ip: '10.20.3.17' }, observable: { type: 'domain', value: 'cdn.evil-updates.example' }, technique: 'T1059.001' }],
  ['splunk', splunkWebhook({ sid: 'it-sid-1' }), { severity: 'high', asset: { hostname: 'dc-02.corp.example' }, observable: { type: 'ip', value: '203.0.113.77' }, technique: 'T1110.003' }],
  ['ocsf', ocsfFinding({ uid: 'it-ocsf-1', severityId: 5 }), { severity: 'critical', asset: { hostname: 'fin-ws-17', ip: '10.20.3.17' }, observable: { type: 'ip', value: '198.51.100.23' }, technique: 'T1003.001' }],
  ['sentinel', sentinelTrigger({ name: 'it-sentinel-1', severity: 'Medium' }), { severity: 'medium', asset: { hostname: 'sp-frontend-03' }, observable: { type: 'ip', value: '185.220.101.4' }, technique: 'T1485' }],
];

describe('SIEM intake', () => {
  it.each(CASES)('turns a %s payload into an incident with its severity, asset, observables and techniques', async (source, body, want) => {
    const accepted = await post(source, body);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    expect(accepted.body).toMatchObject({ deduplicated: false, incidentId: expect.stringMatching(/^INC-/) });
    const alert = (await stack.call('GET', `/v1/alerts/${accepted.body.alertId}`, analyst)).body;
    expect(alert).toMatchObject({ source, severity: want.severity, assets: [want.asset], incidentId: accepted.body.incidentId });
    expect(alert.observables).toContainEqual(want.observable);
    expect(alert.mitre.map((t: { id: string }) => t.id)).toContain(want.technique);
    expect(alert.raw).toEqual(body);
    const incident = await incidentOf(accepted.body.incidentId);
    expect(incident.severity).toBe(want.severity);
    const listed = await stack.call('GET', `/v1/incidents/${accepted.body.incidentId}/alerts`, analyst);
    expect(listed.body.alerts.map((a: { id: string }) => a.id)).toEqual([accepted.body.alertId]);
    const again = await post(source, body);
    expect(again.body).toEqual({ ...accepted.body, deduplicated: true });
  });

  it('looks up the observables of adapted alerts in threat intel', async () => {
    const accepted = await post('wazuh', wazuhAlert({ id: 'it-intel', agent: { id: '009', name: 'intel-host', ip: '10.0.9.9' } }));
    const incident = await eventually(
      async () => (await stack.call('GET', `/v1/incidents/${accepted.body.incidentId}`, analyst)).body,
      (view) => (view?.context?.intel ?? []).length > 0,
      'intel findings',
    );
    expect(incident.context.intel.map((f: { key: string }) => f.key)).toContain('ip:203.0.113.77');
  });

  it('takes a Sentinel Update event as a repeat of its incident', async () => {
    const created = await post('sentinel', sentinelTrigger({ name: 'it-sentinel-upd' }));
    const updated = await post('sentinel', sentinelTrigger({ name: 'it-sentinel-upd', event: 'Update' }));
    expect(updated.body).toEqual({ ...created.body, deduplicated: true });
  });

  it('takes NDJSON; a broken line rejects the request whole and stores nothing', async () => {
    const lines = [wazuhAlert({ id: 'nd-1' }), wazuhSyscheckAlert('nd-2')].map((a) => JSON.stringify(a));
    const ok = await post('wazuh', lines.join('\n'), ingest, { 'content-type': 'application/x-ndjson' });
    expect(ok.status).toBe(202);
    expect(ok.body).toHaveLength(2);
    const broken = await post('wazuh', [JSON.stringify(wazuhAlert({ id: 'nd-3' })), '{"id":'].join('\n'), ingest, { 'content-type': 'application/x-ndjson' });
    expect(broken.status).toBe(400);
    expect(broken.headers['content-type']).toContain('application/problem+json');
    expect(broken.body.errors[0].path).toBe('line 2');
    const stored = await stack.database.db.query.alerts.findFirst({ where: (t, { eq }) => eq(t.sourceId, 'wazuh-manager-eu:nd-3') });
    expect(stored).toBeUndefined();
  });

  it('names the source field at fault in a 400, and refuses 501 alerts with a 413', async () => {
    const bad = await post('ocsf', [ocsfFinding({ uid: 'x1' }), ocsfFinding({ uid: 'x2', classUid: 1001 })]);
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: '[1].class_uid' })]);
    const many = Array.from({ length: 501 }, (_, i) => ocsfFinding({ uid: `many-${i}` }));
    expect((await post('ocsf', many)).status).toBe(413);
  });

  it('stores NUL and lone surrogates as U+FFFD and says where', async () => {
    const body = JSON.stringify(wazuhAlert({ id: 'nul-1', fullLog: 'a\u0000b', agent: { id: '011', name: 'nul-host' } })).replace('a\\u0000b', 'a\\u0000b\\ud800');
    const accepted = await post('wazuh', body);
    expect(accepted.status).toBe(202);
    const alert = (await stack.call('GET', `/v1/alerts/${accepted.body.alertId}`, analyst)).body;
    expect(alert.raw.full_log).toBe('a\uFFFDb\uFFFD');
    expect(alert.normalised).toEqual(['full_log']);
    await incidentOf(accepted.body.incidentId);
  });
});

describe('sources as identities', () => {
  it('lets a key bound to a source post there only; the same id from two sources is two alerts', async () => {
    const created = await stack.call('POST', '/v1/api-keys', stack.adminToken, { name: 'wazuh-prod', roles: ['ingest'], sources: ['wazuh'] });
    expect(created.body).toMatchObject({ sources: ['wazuh'] });
    const wazuhOnly = created.body.token as string;
    expect((await post('wazuh', wazuhAlert({ id: 'bound-1' }), wazuhOnly)).status).toBe(202);
    const refused = await post('elastic', elasticAlert({ uuid: 'bound-2' }), wazuhOnly);
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/wazuh only/);
    expect((await stack.call('POST', '/v1/alerts/generic', wazuhOnly, { sourceId: 'g', title: 't', severity: 'low' })).status).toBe(403);
    const generic = await stack.call('POST', '/v1/alerts/generic', ingest, { sourceId: 'same-id', title: 't', severity: 'low' });
    const ocsf = await post('ocsf', ocsfFinding({ uid: 'same-id' }));
    expect(ocsf.body.deduplicated).toBe(false);
    expect(ocsf.body.alertId).not.toBe(generic.body.alertId);
  });

  it('takes the token as ?token= on alert intake only', async () => {
    const viaQuery = await stack.app.inject({ method: 'POST', url: `/v1/alerts/splunk?token=${ingest}`, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(splunkWebhook({ sid: 'qt-1' })) });
    expect(viaQuery.statusCode).toBe(202);
    const elsewhere = await stack.app.inject({ method: 'GET', url: `/v1/incidents?token=${analyst}` });
    expect(elsewhere.statusCode).toBe(401);
    const wrong = await stack.app.inject({ method: 'POST', url: '/v1/alerts/splunk?token=nope', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(wrong.statusCode).toBe(401);
    const requestLines = logLines.filter((line) => line.includes('/v1/alerts/splunk'));
    expect(requestLines.some((line) => line.includes('token=[redacted]')), 'the request was logged').toBe(true);
    expect(logLines.filter((line) => line.includes(ingest) || line.includes('token=nope')), 'no log line shows a token').toEqual([]);
  });
});

describe('reading and batching SIEM alerts', () => {
  it('answers a repeat inside one body as the repeat it is', async () => {
    const body = [ocsfFinding({ uid: 'in-body-1' }), ocsfFinding({ uid: 'in-body-1' })];
    const answers = (await post('ocsf', body)).body;
    expect(answers[0].deduplicated).toBe(false);
    expect(answers[1]).toEqual({ ...answers[0], deduplicated: true });
  });

  it("pages an incident's alerts with a cursor, oldest first, and logs each read of an alert", async () => {
    const lines = [1, 2, 3].map((i) => JSON.stringify(wazuhAlert({ id: `page-${i}`, agent: { id: '021', name: 'paged-host' } })));
    for (const line of lines) expect((await post('wazuh', line)).status).toBe(202);
    const [first] = (await stack.database.db.query.alerts.findMany({ where: (t, { eq }) => eq(t.sourceId, 'wazuh-manager-eu:page-1') }));
    const page1 = await stack.call('GET', `/v1/incidents/${first!.incidentId}/alerts?limit=2`, analyst);
    expect(page1.body.alerts.map((a: { sourceId: string }) => a.sourceId)).toEqual(['wazuh-manager-eu:page-1', 'wazuh-manager-eu:page-2']);
    const page2 = await stack.call('GET', `/v1/incidents/${first!.incidentId}/alerts?limit=2&cursor=${page1.body.nextCursor}`, analyst);
    expect(page2.body).toMatchObject({ alerts: [{ sourceId: 'wazuh-manager-eu:page-3' }], nextCursor: null });
    expect((await stack.call('GET', `/v1/incidents/${first!.incidentId}/alerts?cursor=bogus`, analyst)).status).toBe(400);

    expect((await stack.call('GET', `/v1/alerts/${first!.id}`, analyst)).status).toBe(200);
    const log = await stack.call('GET', `/v1/access-log?incidentId=${first!.incidentId}`, await stack.token(['auditor']));
    expect(log.body.entries).toEqual(expect.arrayContaining([expect.objectContaining({ actor: 'alice', action: 'alert', incidentId: first!.incidentId })]));
  });

  it('refuses a body over 50 MiB with 413 before reading it', async () => {
    const huge = await post('wazuh', `"${'x'.repeat(51 * 1024 * 1024)}"`);
    expect(huge.status).toBe(413);
  });
});
