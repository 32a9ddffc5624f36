/**
 * Staffing from a history built through the HTTP API alone, on Temporal's time-skipping server
 * (the workflow's clock is what the ledger records, so a week of incidents takes seconds): one
 * incident every four hours for a week, each thirty minutes in triage under a one-hour SLA, twelve
 * of them logged as work. The model fitted to the week as it stood (`to`) recovers the arrival
 * rate and the effort within 10 %, the rest of the stage as waiting; a backtest on it states its error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let lead: string;
let weekEnd: string;
let priority: string;

const MINUTE = 60_000;
const INCIDENTS = 42; // one every four hours for a week
const LOGGED_MINUTES = 12;
const STAGE_MINUTES = 30;

const PLAYBOOK = {
  id: 'staffing-known',
  name: 'Staffing, a known week',
  initial: 'triage',
  stages: {
    triage: { marks: ['acknowledged'], sla: { critical: '1h', high: '1h', medium: '1h', low: '1h' }, on: { close: { to: 'closed' } } },
    closed: { closed: true, marks: ['resolved', 'closed'] },
  },
};

beforeAll(async () => {
  stack = await startStack({ timeSkipping: true, connectorEnv: {} });
  lead = await stack.token(['analyst'], 'soc-lead');
  expect((await stack.call('POST', '/v1/playbooks', await stack.token(['engineer']), PLAYBOOK)).status).toBe(201);
  const skip = (ms: number) => stack.timeSkipping!.skip(ms);
  // The week starts as the first incident is opened (the test server's clock, ahead of this one).
  weekEnd = new Date((await stack.timeSkipping!.now()) + 7 * 24 * 60 * MINUTE).toISOString();
  for (let i = 0; i < INCIDENTS; i++) {
    const created = await stack.call('POST', '/v1/incidents', lead, { title: `known week ${i}`, severity: 'high', playbook: PLAYBOOK.id });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    priority = created.body.priority;
    await skip(10 * MINUTE);
    expect((await stack.call('POST', `/v1/incidents/${created.body.id}/work-log`, lead, { minutes: LOGGED_MINUTES })).status).toBe(200);
    await skip((STAGE_MINUTES - 10) * MINUTE);
    expect((await stack.call('POST', `/v1/incidents/${created.body.id}/transitions`, lead, { event: 'close' })).status).toBe(200);
    await skip((240 - STAGE_MINUTES) * MINUTE);
  }
}, 300_000);
afterAll(async () => stack?.close());

describe('staffing from a history made through the API', () => {
  it('recovers the arrival rate and the effort of the week within 10 %, the rest of the stage as waiting', async () => {
    const model = await stack.call('GET', `/v1/simulations/model?windowDays=7&to=${encodeURIComponent(weekEnd)}`, lead);
    expect(model.status, JSON.stringify(model.body).slice(0, 400)).toBe(200);
    expect(model.body.measured).toMatchObject({ incidents: INCIDENTS, byPriority: { [priority]: INCIDENTS }, stagePasses: { [priority]: { triage: INCIDENTS } } });
    const fitted = model.body.priorities[priority];
    expect(Math.abs(fitted.arrivalsPerWeek - INCIDENTS) / INCIDENTS).toBeLessThan(0.1);
    const triage = fitted.stages.find((s: { stage: string }) => s.stage === 'triage');
    expect(Math.abs(triage.effort.meanMinutes - LOGGED_MINUTES) / LOGGED_MINUTES).toBeLessThan(0.1);
    expect(Math.abs(triage.waiting.meanMinutes - (STAGE_MINUTES - LOGGED_MINUTES)) / (STAGE_MINUTES - LOGGED_MINUTES)).toBeLessThan(0.1);
    expect(triage).toMatchObject({ slaSeconds: 3600, next: { closed: 1 } });
    // The window as it stands now (the test server's clock is ahead of this one): nothing in it.
    expect((await stack.call('GET', '/v1/simulations/model?windowDays=7&to=2000-01-01T00:00:00Z', lead)).body.measured.incidents).toBe(0);
  });

  it('backtests the week: fitted on its first half, simulated on the second, the error stated', async () => {
    const backtest = await stack.call('POST', '/v1/simulations/backtest', lead, { windowDays: 7, to: weekEnd, splitShare: 0.5, runs: 20, seed: 2 });
    expect(backtest.status, JSON.stringify(backtest.body).slice(0, 400)).toBe(200);
    expect(backtest.body.fit.measured.incidents + backtest.body.test.measured.incidents).toBe(INCIDENTS);
    expect(backtest.body.measured.overall).toBe(1); // every triage took 30 minutes of a one-hour SLA
    expect(typeof backtest.body.error.overall).toBe('number');
    expect(backtest.body.timeInStage.measured.triage).toBeCloseTo(STAGE_MINUTES, 0);
    expect(backtest.body.statement).toMatch(/an error of -?\d(\.\d+)? in compliance; minutes in stage, predicted against measured: triage /);
  });

  it('refuses a window end that names no instant', async () => {
    expect((await stack.call('GET', '/v1/simulations/model?to=yesterday', lead)).status).toBe(400);
  });
});
