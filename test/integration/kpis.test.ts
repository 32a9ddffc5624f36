/**
 * KPIs over the fixed data set (test/support/kpi-dataset.ts), asserted to the second, and the
 * counts only the API sees (refused attempts, suppressed duplicates) through a real workflow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { backfillMeasures, measureOfRow, rebuildMeasure, stageTimeRows } from '../../db/measures.rows.js';
import { findIncident, toIncidentProjection } from '../../db/incidents.reads.js';
import { incidentMeasures, incidentStageTimes } from '../../db/schema.js';
import { RATE_KEYS } from '../../machines/kpi.definitions.js';
import { alertBody, postAlert } from '../support/incidents.js';
import { recordSteps } from '../support/incident-script.js';
import { WINDOW, recordKpiDataset } from '../support/kpi-dataset.js';
import { startStack, type Stack } from '../support/stack.js';
import { ledgerSqlKpisByBusinessUnit } from '../../bench/kpis.ledger-sql.js';

let stack: Stack;
let analyst: string;

beforeAll(async () => {
  stack = await startStack({ hourlyRate: 90 });
  analyst = await stack.token(['analyst'], 'kim');
  await recordKpiDataset(stack.database.db);
});
afterAll(async () => stack?.close());

const kpis = async (query: string, headers: Record<string, string> = {}) => stack.call('GET', `/v1/kpis?${query}`, analyst, undefined, headers);
const figure = (mean: number | null, median: number | null, p90: number | null, n: number) => ({ mean, median, p90, n });
const none = figure(null, null, null, 0);

describe('GET /v1/kpis', () => {
  it('answers every duration, rate and effort per business unit, to the second', async () => {
    const { status, body } = await kpis(`groupBy=businessUnit&from=${WINDOW.from}&to=${WINDOW.to}`);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ from: '2026-03-01T00:00:00.000Z', to: '2026-05-01T00:00:00.000Z', groupBy: 'businessUnit' });
    expect(body.groups.map((g: { key: string | null }) => g.key)).toEqual(['payments', 'retail', null]);
    const [payments, retail, unknown] = body.groups;

    expect(payments.count).toBe(2);
    expect(payments.durations).toEqual({
      mttd: figure(600, 600, 600, 1),
      mtta: figure(450, 450, 570, 2),
      mttc: figure(3600, 3600, 3600, 1),
      mtte: figure(3600, 3600, 3600, 1),
      mttrec: figure(3600, 3600, 3600, 1),
      mttr: figure(6000, 6000, 9840, 2),
      'stage:analysis': figure(650, 650, 850, 2),
      'stage:closed': figure(800, 800, 800, 1),
      'stage:containment': figure(1800, 1800, 1800, 1),
      'stage:eradication': figure(3600, 3600, 3600, 1),
      'stage:new': figure(450, 450, 570, 2),
      'stage:recovery': figure(3600, 3600, 3600, 1),
      'stage:review': figure(3600, 3600, 3600, 1),
      'stage:triage': figure(600, 600, 600, 2),
      approval: figure(300, 300, 300, 1),
    });
    expect(payments.rates).toEqual({
      slaCompliance: 0.5,
      slaBreaches: 1,
      escalations: 2,
      reopenRate: 0.5,
      falsePositiveRate: 0,
      alertsPerIncident: 0.5,
      duplicatesSuppressed: 0,
      enrichmentAutomationRate: 0.75,
      gateRejectionRate: 2 / 13,
    });
    expect(payments.effort).toEqual({ minutes: 120, cost: 180 });

    expect(retail.count).toBe(2);
    expect(retail.durations).toMatchObject({ mttd: figure(120, 120, 120, 1), mtta: figure(100, 100, 100, 1), mttc: none, mtte: none, mttrec: none, mttr: figure(500, 500, 500, 1) });
    expect(retail.durations['stage:new'], 'a visit still under way is not counted').toEqual(figure(100, 100, 100, 1));
    expect(retail.durations.approval).toEqual(none);
    expect(retail.rates).toEqual({
      slaCompliance: null,
      slaBreaches: 0,
      escalations: 0,
      reopenRate: 0,
      falsePositiveRate: 1,
      alertsPerIncident: 1.5,
      duplicatesSuppressed: 1,
      enrichmentAutomationRate: 1,
      gateRejectionRate: 0,
    });
    expect(retail.effort).toEqual({ minutes: 0, cost: 0 });

    expect(unknown.count).toBe(1);
    expect(unknown.durations.mtta).toEqual(figure(120, 120, 120, 1));
    expect(unknown.durations.mttr, 'a group with no measurement').toEqual(none);
    expect(unknown.rates).toMatchObject({ slaCompliance: null, reopenRate: null, falsePositiveRate: null, enrichmentAutomationRate: 0 });
  });

  it('groups by month, source, category, severity, priority and playbook', async () => {
    const keys = async (groupBy: string) => {
      const { body } = await kpis(`groupBy=${groupBy}&from=${WINDOW.from}&to=${WINDOW.to}`);
      return Object.fromEntries(body.groups.map((g: { key: string; count: number }) => [g.key, g.count]));
    };
    expect(await keys('month')).toEqual({ '2026-03': 4, '2026-04': 1 });
    expect(await keys('source')).toEqual({ elastic: 3, reported: 2 });
    expect(await keys('category')).toEqual({ malware: 3, phishing: 1, 'policy-violation': 1 });
    expect(await keys('severity')).toEqual({ high: 1, medium: 2, low: 2 });
    expect(await keys('priority')).toEqual({ P2: 1, P3: 2, P4: 2 });
    expect(await keys('playbook')).toEqual({ default: 5 });
  });

  it('counts incidents created in [from, to) only; the default window is the last 30 days', async () => {
    const { body } = await kpis('groupBy=month&from=2026-03-02T00:00:01Z&to=2026-04-01T00:00:00Z');
    expect(body.groups).toHaveLength(1);
    expect(body.groups[0]).toMatchObject({ key: '2026-03', count: 3 });
    const { body: recent } = await kpis('groupBy=month');
    expect(Date.parse(recent.to) - Date.parse(recent.from)).toBe(30 * 86_400_000);
    expect(recent.groups.find((g: { key: string }) => g.key === '2026-03')).toBeUndefined();
  });

  it('answers CSV with Accept: text/csv, one row per group', async () => {
    const { status, body, headers } = await kpis(`groupBy=businessUnit&from=${WINDOW.from}&to=${WINDOW.to}`, { accept: 'text/csv' });
    expect(status).toBe(200);
    expect(String(headers['content-type'])).toMatch(/^text\/csv/);
    const [header, ...rows] = (body as string).trim().split('\r\n').map((line) => line.split(','));
    expect(header!.slice(0, 6)).toEqual(['key', 'count', 'mttd.mean', 'mttd.median', 'mttd.p90', 'mttd.n']);
    expect(header).toContain('stage:analysis.p90');
    expect(header!.slice(-2 - RATE_KEYS.length)).toEqual([...RATE_KEYS, 'effort.minutes', 'effort.cost']);
    expect(rows).toHaveLength(3);
    const payments = Object.fromEntries(header!.map((h, i) => [h, rows[0]![i]]));
    expect(payments).toMatchObject({ key: 'payments', count: '2', 'mttr.p90': '9840', 'approval.n': '1', slaCompliance: '0.5', 'effort.cost': '180' });
    const unknown = Object.fromEntries(header!.map((h, i) => [h, rows[2]![i]]));
    expect(unknown).toMatchObject({ key: '', 'mttr.mean': '', 'mttr.n': '0' });
  });

  it('takes plain dates as midnight UTC', async () => {
    const { status, body } = await kpis('groupBy=month&from=2026-04-01&to=2026-05-01');
    expect(status).toBe(200);
    expect(body).toMatchObject({ from: '2026-04-01T00:00:00.000Z', to: '2026-05-01T00:00:00.000Z', groups: [{ key: '2026-04', count: 1 }] });
  });

  it('rejects a bad groupBy or window with a problem', async () => {
    for (const query of ['groupBy=team', 'from=yesterday', 'from=2026-13-01', `from=${WINDOW.to}&to=${WINDOW.from}`, 'colour=red', 'from=1448-12-31&to=3411-06-08', 'from=0000-01-01']) {
      const response = await kpis(query);
      expect(response.status, query).toBe(400);
      expect(String(response.headers['content-type'])).toMatch(/application\/problem\+json/);
    }
  });

  it('publishes every definition in words', async () => {
    const { status, body } = await stack.call('GET', '/v1/kpis/definitions', analyst);
    expect(status).toBe(200);
    const keys = body.kpis.map((k: { key: string }) => k.key);
    expect(keys).toEqual(expect.arrayContaining(['mttd', 'mtta', 'mttc', 'mtte', 'mttrec', 'mttr', 'stage:<name>', 'approval', ...RATE_KEYS, 'effort.minutes', 'effort.cost']));
    for (const kpi of body.kpis) expect(kpi.definition.length, kpi.key).toBeGreaterThan(20);
    expect(body.kpis.find((k: { key: string }) => k.key === 'mtta')).toMatchObject({ from: 'created', to: 'acknowledged', unit: 'seconds' });
    expect(body.hourlyRate).toBe(90);
  });
});

describe('the KPI benchmark\'s baseline', () => {
  it('SQL over the ledger answers what the API answers, every figure of every group', async () => {
    const { body } = await kpis(`groupBy=businessUnit&from=${WINDOW.from}&to=${WINDOW.to}`);
    const api = body.groups as Array<{ key: string | null; count: number; durations: Record<string, object>; rates: Record<string, number | null>; effort: { minutes: number } }>;
    const baseline = await ledgerSqlKpisByBusinessUnit(stack.database.db, { from: new Date(WINDOW.from), to: new Date(WINDOW.to) });
    expect(baseline.map((g) => g.key).sort()).toEqual(api.map((g) => g.key).sort());
    for (const group of api) {
      const other = baseline.find((g) => g.key === group.key)!;
      expect({ count: other.count, effort: other.effortMinutes }, String(group.key)).toEqual({ count: group.count, effort: group.effort.minutes });
      expect(other.durations, String(group.key)).toEqual(group.durations);
      for (const [rate, value] of Object.entries(other.rates)) {
        if (value === null) expect(group.rates[rate], `${group.key} ${rate}`).toBeNull();
        else expect(value, `${group.key} ${rate}`).toBeCloseTo(group.rates[rate]!, 9);
      }
    }
  });
});

describe('measures', () => {
  it('equal a rebuild from the audit log alone, for every incident of the data set', async () => {
    const { db } = stack.database;
    for (const id of ['A', 'B', 'C', 'D', 'E']) {
      const [row] = await db.select().from(incidentMeasures).where(eq(incidentMeasures.incidentId, id));
      const rebuilt = await rebuildMeasure(db, toIncidentProjection((await findIncident(db, id))!));
      expect(rebuilt, id).toEqual(measureOfRow(row!));
      const stageRows = await db.select().from(incidentStageTimes).where(eq(incidentStageTimes.incidentId, id));
      const byStage = (a: { stage: string }, b: { stage: string }) => a.stage.localeCompare(b.stage);
      expect(stageRows.sort(byStage), `${id}: stage times`).toEqual(stageTimeRows(rebuilt!).sort(byStage));
    }
  });

  it('are backfilled from the audit log for incidents recorded before measures existed', async () => {
    const { db } = stack.database;
    const snapshot = async () => ({
      measure: (await db.select().from(incidentMeasures).where(eq(incidentMeasures.incidentId, 'A')))[0],
      stages: (await db.select().from(incidentStageTimes).where(eq(incidentStageTimes.incidentId, 'A'))).sort((a, b) => a.stage.localeCompare(b.stage)),
    });
    const before = await snapshot();
    await db.delete(incidentMeasures).where(eq(incidentMeasures.incidentId, 'A'));
    await db.delete(incidentStageTimes).where(eq(incidentStageTimes.incidentId, 'A'));
    expect(await backfillMeasures(db)).toBe(1);
    expect(await snapshot()).toEqual(before);
    expect(await backfillMeasures(db), 'nothing left to backfill').toBe(0);
  });

  it('are rebuilt from the audit log when a step arrives for an incident without them', async () => {
    const { db } = stack.database;
    // As for an incident recorded before measures existed: only the API's counters in the row.
    await db.update(incidentMeasures).set({ createdAt: null, reopens: 0, effortMinutes: 0 }).where(eq(incidentMeasures.incidentId, 'B'));
    const row = (await findIncident(db, 'B'))!;
    const projection = { ...toIncidentProjection(row), effortMinutes: row.effortMinutes + 15, updatedAt: '2026-03-04T00:00:00.000Z' };
    await recordSteps(db, [
      { incidentId: 'B', seq: row.lastSeq + 1, at: projection.updatedAt, type: 'work_logged', actor: 'ana', from: null, to: null, data: { minutes: 15 }, effects: [], projection },
    ]);
    const [measure] = await db.select().from(incidentMeasures).where(eq(incidentMeasures.incidentId, 'B'));
    expect(measureOfRow(measure!)).toMatchObject({ effortMinutes: 45, reopens: 1, acceptedAttempts: 4, approvalSeconds: [300], createdAt: '2026-03-03T00:00:00.000Z' });
    expect(measure!.refusedAttempts, 'the counts only the API keeps are kept').toBe(2);
  });
});

describe('what only the API sees', () => {
  it('counts refused attempts and suppressed duplicates beside the workflow', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const alert = alertBody({ detectedAt: new Date(Date.now() - 30_000).toISOString(), firstEventAt: new Date(Date.now() - 330_000).toISOString(), techniques: ['T1071'] });
    const ingest = await stack.token(['ingest']);
    const { incidentId } = await postAlert(stack, ingest, alert);
    expect((await postAlert(stack, ingest, alert)).deduplicated).toBe(true);
    const move = (event: string) => stack.call('POST', `/v1/incidents/${incidentId}/transitions`, analyst, { event });
    expect((await move('close')).status).toBe(409);
    expect((await move('acknowledge')).status).toBe(200);
    expect((await move('close_false_positive')).status).toBe(422);

    const { body } = await kpis(`groupBy=source&from=${from}`);
    const generic = body.groups.find((g: { key: string }) => g.key === 'generic');
    expect(generic.count).toBe(1);
    expect(generic.rates).toMatchObject({ gateRejectionRate: 2 / 3, duplicatesSuppressed: 1, alertsPerIncident: 1 });
    expect(generic.durations.mttd).toEqual(figure(300, 300, 300, 1));
    expect(generic.durations.mtta.n).toBe(1);
  });
});
