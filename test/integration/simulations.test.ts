/**
 * Staffing from a known history, through the HTTP API (the history recorded by the persistence
 * activity as the workflow would, with known times): P2 incidents every four hours for two weeks,
 * each half an hour in triage under a one-hour SLA, and P1 incidents whose analysis logs 20 of its
 * 50 minutes as work. The model recovers the arrival rate and the effort within 10 %, the logged
 * work as effort and the rest as waiting; a forecast on it answers per staffing level, deterministic for a seed,
 * naming the smallest level that meets the target; a what-if changes what it should.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulationRuns } from '../../api/staffing-runs.js';
import { insertRun } from '../../db/simulation-runs.repo.js';
import { IncidentScript, recordScripts } from '../support/incident-script.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let lead: string;

const HOUR = 3600_000;
const PER_WEEK = 42; // one every four hours
const EFFORT_MINUTES = 30;

beforeAll(async () => {
  stack = await startStack({ worker: false });
  lead = await stack.token(['analyst'], 'soc-lead');
  const start = Date.now() - 14 * 24 * HOUR + HOUR;
  const scripts = Array.from({ length: 84 }, (_, i) => {
    const at = (offset: number) => new Date(start + i * 4 * HOUR + offset).toISOString();
    return new IncidentScript(`SIM-${i}`, { at: at(0), openedBy: 'source:generic', severity: 'high', priority: 'P2', stage: 'triage' })
      .step('sla_armed', at(0), { data: { clock: 'stage', stage: 'triage', basis: 'P2', targetSeconds: 3600, elapsedSeconds: 0 } })
      .move(at(EFFORT_MINUTES * 60_000), 'close', 'closed', { closed: true, marks: ['resolved'] });
  });
  // P1 incidents, one a day: 50 minutes in analysis of which 20 logged as work, the rest waiting.
  const analyses = Array.from({ length: 14 }, (_, i) => {
    const at = (offset: number) => new Date(start + i * 24 * HOUR + 2 * HOUR + offset).toISOString();
    return new IncidentScript(`SIM-P1-${i}`, { at: at(0), openedBy: 'source:generic', severity: 'critical', priority: 'P1', stage: 'analysis' })
      .work(at(10 * 60_000), 20)
      .move(at(50 * 60_000), 'close', 'closed', { closed: true, marks: ['resolved'] });
  });
  // P3 incidents, one a day: analysis waits 25 of its 35 minutes on a two-person approval, then 40 minutes on hold, then 5 more minutes.
  const held = Array.from({ length: 7 }, (_, i) => {
    const at = (minutes: number) => new Date(start + i * 24 * HOUR + 6 * HOUR + minutes * 60_000).toISOString();
    return new IncidentScript(`SIM-P3-${i}`, { at: at(0), openedBy: 'source:generic', severity: 'medium', priority: 'P3', stage: 'analysis' })
      .step('approval_requested', at(10), { actor: 'ana', data: { event: 'contain', required: 2 } })
      .step('approval_granted', at(20), { actor: 'bob', data: { event: 'contain', granted: 1, required: 2 } })
      .step('approval_granted', at(35), { actor: 'carol', data: { event: 'contain', granted: 2, required: 2 } })
      .move(at(35), 'hold', 'on_hold')
      .move(at(75), 'resume', 'analysis')
      .move(at(80), 'close', 'closed', { closed: true, marks: ['resolved'] });
  });
  await recordScripts(stack.database.db, [...scripts, ...analyses, ...held]);
});
afterAll(async () => stack?.close());

describe('staffing simulations', () => {
  it('shows the model it measured: arrivals and effort recovered within 10 %, with counts', async () => {
    const model = await stack.call('GET', '/v1/simulations/model?windowDays=14', lead);
    expect(model.status, JSON.stringify(model.body).slice(0, 500)).toBe(200);
    expect(model.body.measured).toMatchObject({ incidents: 105, byPriority: { P1: 14, P2: 84, P3: 7 }, stagePasses: { P1: { analysis: 14 }, P2: { triage: 84 }, P3: { analysis: 14, on_hold: 7 } } });
    const p2 = model.body.priorities.P2;
    expect(Math.abs(p2.arrivalsPerWeek - PER_WEEK) / PER_WEEK).toBeLessThan(0.1);
    expect(p2.initial).toBe('triage');
    const triage = p2.stages.find((s: { stage: string }) => s.stage === 'triage');
    expect(Math.abs(triage.effort.meanMinutes - EFFORT_MINUTES) / EFFORT_MINUTES).toBeLessThan(0.1);
    expect(triage).toMatchObject({ slaSeconds: 3600, next: { closed: 1 } });
    expect(triage.waiting, 'no work logged: the stage time is the work').toBeUndefined();
    // Work logged: it is the effort, the rest of the stage's time waiting no analyst shortens.
    const analysis = model.body.priorities.P1.stages.find((s: { stage: string }) => s.stage === 'analysis');
    expect([analysis.effort.meanMinutes, analysis.waiting.meanMinutes]).toEqual([20, 30]);
    expect(analysis.waitingCauses).toEqual({ other: { passes: 14, meanMinutes: 30 } });
    // Waiting by cause: the approval's 25 minutes are not work; on hold nobody works.
    const p3 = Object.fromEntries(model.body.priorities.P3.stages.map((s: { stage: string }) => [s.stage, s]));
    expect(p3.analysis.effort).toMatchObject({ passes: 14, meanMinutes: 7.5 }); // 10 and 5 minutes
    expect(p3.analysis.waitingCauses).toEqual({ approval: { passes: 7, meanMinutes: 25 } });
    expect(p3.on_hold.effort).toMatchObject({ passes: 7, meanMinutes: 0 });
    expect(p3.on_hold.waitingCauses).toEqual({ hold: { passes: 7, meanMinutes: 40 } });
  });

  it('forecasts per staffing level, the same for the same seed, with the smallest level meeting the target', async () => {
    const request = { analysts: [1, 2], horizonDays: 14, runs: 20, seed: 3, windowDays: 14, target: { P2: 0.9 } };
    const first = await stack.call('POST', '/v1/simulations/staffing', lead, request);
    expect(first.status, JSON.stringify(first.body).slice(0, 500)).toBe(200);
    expect(first.body.levels.map((l: { analysts: number }) => l.analysts)).toEqual([1, 2]);
    const [one, two] = first.body.levels;
    expect(one.compliance.byStage.triage).toBeGreaterThan(0.9);
    expect(two.compliance.overall).toBeGreaterThanOrEqual(one.compliance.overall);
    expect(one.utilisation).toBeGreaterThan(0.08);
    expect(one.utilisation).toBeLessThan(0.17); // 0.25 an hour × 30 minutes = 0.125
    expect(first.body.smallest).toBe(1);
    expect(one.backlog).toHaveLength(14);
    const again = await stack.call('POST', '/v1/simulations/staffing', lead, request);
    // The same data and seed: the same answer byte for byte (its id and the window's instants aside).
    const answer = ({ levels, smallest, measured }: Record<string, unknown>) => ({ levels, smallest, measured });
    expect(JSON.stringify(answer(again.body))).toBe(JSON.stringify(answer(first.body)));
    expect((await stack.call('GET', `/v1/simulations/runs/${first.body.id}`, lead)).body).toMatchObject({ status: 'done', levels: first.body.levels });

    const slower = await stack.call('POST', '/v1/simulations/staffing', lead, { ...request, whatIf: { effortScale: { triage: 2.2 } } });
    expect(slower.body.levels[0].compliance.byStage.triage, 'triage at 66 minutes misses a one-hour SLA').toBe(0);
  });

  it('backtests: fitted on the first week, simulated on the second with the people who worked it, the error stated', async () => {
    const backtest = await stack.call('POST', '/v1/simulations/backtest', lead, { windowDays: 14, splitShare: 0.5, runs: 20, seed: 5 });
    expect(backtest.status, JSON.stringify(backtest.body).slice(0, 400)).toBe(200);
    expect(backtest.body.analysts).toEqual({ count: 1, derived: true });
    expect(backtest.body.fit.measured.incidents + backtest.body.test.measured.incidents).toBe(105);
    expect(backtest.body.measured.overall).toBe(1); // every triage took 30 minutes of a 60-minute SLA
    expect(Math.abs(backtest.body.error.overall)).toBeLessThan(0.1);
    expect(backtest.body.statement).toMatch(/^predicted 0\.\d+ against 1 measured: an error of -?0\.\d+ in compliance; minutes in stage, predicted against measured: /);
    // Time in stage compared too: triage measured at its 30 minutes; predicted is that plus the queue's wait.
    const { timeInStage } = backtest.body;
    expect(timeInStage.measured).toMatchObject({ triage: 30 });
    expect(timeInStage.predicted.triage).toBeGreaterThanOrEqual(30);
    expect(timeInStage.error.triage).toBeCloseTo(timeInStage.predicted.triage - 30, 1);
  });

  it('forecasts with a shift calendar: the share on duty per hour, fewer met out of hours, unknown zones a 422', async () => {
    const request = { analysts: [1], horizonDays: 14, runs: 10, seed: 3, windowDays: 14 };
    const allDay = await stack.call('POST', '/v1/simulations/staffing', lead, request);
    const shift = { timezone: 'Europe/Berlin', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' };
    const weekdays = await stack.call('POST', '/v1/simulations/staffing', lead, { ...request, shifts: [shift] });
    expect(weekdays.status, JSON.stringify(weekdays.body).slice(0, 400)).toBe(200);
    expect(weekdays.body.dutyShares).toHaveLength(168);
    expect(weekdays.body.dutyShares.reduce((a: number, b: number) => a + b, 0)).toBe(40);
    expect(weekdays.body.levels[0].compliance.byStage.triage).toBeLessThan(allDay.body.levels[0].compliance.byStage.triage);
    expect(weekdays.body.levels[0].timeInStage.triage).toBeGreaterThan(allDay.body.levels[0].timeInStage.triage);

    const mars = await stack.call('POST', '/v1/simulations/staffing', lead, { ...request, shifts: [{ ...shift, timezone: 'Mars/Olympus' }] });
    expect(mars.status).toBe(422);
    expect(mars.body.detail).toContain('shifts/0/timezone');
    expect((await stack.call('POST', '/v1/simulations/staffing', lead, { ...request, shifts: [{ ...shift, from: '25:00' }] })).status).toBe(400);
  });

  it('keeps runs in the database: another API process answers a poll, and a run whose process stopped is failed', async () => {
    const started = await stack.call('POST', '/v1/simulations/staffing', lead, { analysts: [1], horizonDays: 7, runs: 5, seed: 9, windowDays: 14 });
    expect(started.status).toBe(200);
    // Another API process: nothing shared with this one but the database.
    const elsewhere = createSimulationRuns(stack.database.db);
    expect(await elsewhere.get(started.body.id)).toMatchObject({ id: started.body.id, status: 'done', progress: 1, forecast: { levels: started.body.levels } });
    // A run left running by a process that stopped beating a while ago.
    const orphan = randomUUID();
    await insertRun(stack.database.db, orphan, new Date(Date.now() - 5 * 60_000));
    const polled = await stack.call('GET', `/v1/simulations/runs/${orphan}`, lead);
    expect(polled.body).toMatchObject({ id: orphan, status: 'failed', error: expect.stringContaining('stopped before it finished') });
  });

  it('answers 404 for a simulation it does not hold, and 400 for staffing out of range', async () => {
    expect((await stack.call('GET', '/v1/simulations/runs/00000000-0000-4000-8000-000000000000', lead)).status).toBe(404);
    expect((await stack.call('POST', '/v1/simulations/staffing', lead, { analysts: [0] })).status).toBe(400);
    expect((await stack.call('POST', '/v1/simulations/staffing', lead, { analysts: [2], runs: 100_000 })).status).toBe(400);
  });
});
