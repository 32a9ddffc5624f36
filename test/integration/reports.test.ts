/** The service catalogue's reports over the fixed data set (test/support/kpi-dataset.ts). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_NAMES } from '../../machines/report.definitions.js';
import { WINDOW, recordKpiDataset } from '../support/kpi-dataset.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let auditor: string;

beforeAll(async () => {
  stack = await startStack({ worker: false, hourlyRate: 90 });
  auditor = await stack.token(['auditor'], 'aud');
  await recordKpiDataset(stack.database.db);
});
afterAll(async () => stack?.close());

async function report(name: string, window = WINDOW, headers: Record<string, string> = {}) {
  const response = await stack.call('GET', `/v1/reports/${name}?from=${window.from}&to=${window.to}`, auditor, undefined, headers);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

describe('GET /v1/reports/:name', () => {
  it('lists every report with its description', async () => {
    const { body } = await stack.call('GET', '/v1/reports', auditor);
    expect(body.reports.map((r: { name: string }) => r.name)).toEqual([...REPORT_NAMES]);
    for (const r of body.reports) expect(r.description.length).toBeGreaterThan(40);
  });

  it('root-causes: by month and business unit, controlled list or free text', async () => {
    const body = await report('root-causes');
    expect(body).toMatchObject({ report: 'root-causes', from: '2026-03-01T00:00:00.000Z', to: '2026-05-01T00:00:00.000Z' });
    expect(body.rows).toEqual([
      { month: '2026-03', businessUnit: 'payments', rootCause: 'misconfiguration', controlled: true, incidents: 1 },
      { month: '2026-03', businessUnit: 'retail', rootCause: 'red team exercise not announced', controlled: false, incidents: 1 },
    ]);
  });

  it('policy-violations: by month and business unit, with those still open', async () => {
    expect((await report('policy-violations')).rows).toEqual([{ month: '2026-04', businessUnit: null, category: 'policy-violation', incidents: 1, open: 1 }]);
  });

  it('threat-trends: threat sources, vectors and the MITRE techniques of the alerts, by month', async () => {
    expect((await report('threat-trends')).rows).toEqual([
      { month: '2026-03', dimension: 'technique', value: 'T1059', incidents: 2 },
      { month: '2026-03', dimension: 'technique', value: 'T1566.001', incidents: 1 },
      { month: '2026-03', dimension: 'threatSource', value: 'external', incidents: 1 },
      { month: '2026-03', dimension: 'vector', value: 'ssh', incidents: 1 },
    ]);
  });

  it('targeting: business units and processes, against the previous period', async () => {
    const whole = await report('targeting');
    expect(whole.rows).toEqual([
      { businessUnit: 'payments', businessProcess: 'billing', incidents: 2, previous: 0, change: null },
      { businessUnit: 'retail', businessProcess: 'web-shop', incidents: 2, previous: 0, change: null },
      { businessUnit: null, businessProcess: null, incidents: 1, previous: 0, change: null },
    ]);
    expect(whole.byMonth).toEqual([
      { month: '2026-03', businessUnit: 'payments', businessProcess: 'billing', incidents: 2 },
      { month: '2026-03', businessUnit: 'retail', businessProcess: 'web-shop', incidents: 2 },
      { month: '2026-04', businessUnit: null, businessProcess: null, incidents: 1 },
    ]);
    const twoDays = await report('targeting', { from: '2026-03-04T00:00:00Z', to: '2026-03-06T00:00:00Z' });
    expect(twoDays.previousPeriod).toEqual([{ from: '2026-03-02T00:00:00.000Z', to: '2026-03-04T00:00:00.000Z' }]);
    expect(twoDays.rows).toEqual([
      { businessUnit: 'retail', businessProcess: 'web-shop', incidents: 2, previous: 0, change: null },
      { businessUnit: 'payments', businessProcess: 'billing', incidents: 0, previous: 2, change: -1 },
    ]);
  });

  it('change-correlation: by change, by asset, by kind of change', async () => {
    const body = await report('change-correlation');
    expect(body.rows).toEqual([{ changeId: 'CHG-1', title: 'open port 22 to the internet', type: 'configuration', incidents: 1, incidentIds: 'A' }]);
    expect(body.byAsset).toEqual([{ assetId: 'A-PAY1', incidents: 1 }]);
    expect(body.byType).toEqual([{ type: 'configuration', incidents: 1, exposures: 0 }]);
  });

  it('control-effectiveness: per source and rule, and the gap people found', async () => {
    const body = await report('control-effectiveness');
    expect(body.rows).toEqual([
      { source: 'elastic', ruleId: 'R2', incidents: 2, medianTimeToDetect: 120, falsePositiveShare: 0.5 },
      { source: 'elastic', ruleId: 'R1', incidents: 1, medianTimeToDetect: 600, falsePositiveShare: 0 },
    ]);
    expect(body.gap).toEqual([
      { category: 'phishing', incidents: 1 },
      { category: 'policy-violation', incidents: 1 },
    ]);
  });

  it('high-risk-operations: incidents per change, by asset and business process', async () => {
    expect((await report('high-risk-operations')).rows).toEqual([
      { kind: 'asset', key: 'A-SHOP1', incidents: 2, changes: 1, incidentsPerChange: 2 },
      { kind: 'businessProcess', key: 'web-shop', incidents: 2, changes: 1, incidentsPerChange: 2 },
      { kind: 'businessProcess', key: 'billing', incidents: 2, changes: 2, incidentsPerChange: 1 },
      { kind: 'asset', key: 'A-PAY1', incidents: 1, changes: 2, incidentsPerChange: 0.5 },
    ]);
  });

  it('cost: effort and cost per business unit', async () => {
    expect((await report('cost')).rows).toEqual([
      { businessUnit: 'payments', incidents: 2, minutes: 120, hours: 2, cost: 180, costPerIncident: 90 },
      { businessUnit: 'retail', incidents: 2, minutes: 0, hours: 0, cost: 0, costPerIncident: 0 },
      { businessUnit: null, incidents: 1, minutes: 0, hours: 0, cost: 0, costPerIncident: 0 },
    ]);
  });

  it('answers CSV of its rows with Accept: text/csv', async () => {
    const response = await stack.call('GET', `/v1/reports/cost?from=${WINDOW.from}&to=${WINDOW.to}`, auditor, undefined, { accept: 'text/csv' });
    expect(String(response.headers['content-type'])).toMatch(/^text\/csv/);
    expect(response.body).toBe('businessUnit,incidents,minutes,hours,cost,costPerIncident\r\npayments,2,120,2,180,90\r\nretail,2,0,0,0,0\r\n,1,0,0,0,0\r\n');
  });

  it('answers 404 for an unknown report and 400 for a bad window', async () => {
    const unknown = await stack.call('GET', '/v1/reports/everything', auditor);
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toContain('root-causes');
    expect((await stack.call('GET', '/v1/reports/cost?from=2026-05-01T00:00:00Z&to=2026-03-01T00:00:00Z', auditor)).status).toBe(400);
    expect((await stack.call('GET', '/v1/reports/cost', await stack.token(['ingest']))).status).toBe(403);
  });
});
