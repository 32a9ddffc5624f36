/**
 * The staffing simulation against queueing theory: Poisson arrivals and exponential work give the
 * mean wait of M/M/1 with one analyst and of Erlang C with several, within 5 %; no arrivals meet
 * every SLA; more analysts never lower compliance; the same seed gives the same answer.
 */
import { describe, expect, it } from 'vitest';
import { forecastStaffing } from '../../machines/staffing.forecast.js';
import { HOURS_OF_WEEK, withWhatIf, type StaffingModel } from '../../machines/staffing.model.js';
import { simulateRun } from '../../machines/staffing.sim.js';

/** One priority, one stage: λ an hour, work exponential with the mean given (minutes). */
function mm(perHour: number, meanMinutes: number, slaSeconds?: number): StaffingModel {
  return {
    priorities: {
      P2: {
        arrivalsPerHour: Array.from({ length: HOURS_OF_WEEK }, () => perHour),
        initial: 'triage',
        stages: [{ stage: 'triage', effort: { kind: 'exponential', meanMinutes }, ...(slaSeconds !== undefined ? { slaSeconds } : {}) }],
      },
    },
  };
}

/** Mean queue wait (minutes) over runs, after a warm-up day the empty start would bias. */
function simulatedWait(model: StaffingModel, analysts: number, runs: number, days: number): number {
  let sum = 0;
  let n = 0;
  for (let seed = 1; seed <= runs; seed++) {
    const run = simulateRun(model, analysts, days, seed, 1440);
    sum += run.waitSum;
    n += run.waitCount;
  }
  return sum / n;
}

/** Erlang C: the probability of waiting with c servers and offered load a = λ/μ. */
function erlangC(c: number, a: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 1; k < c; k++) sum += (term *= a / k);
  const last = (term * a) / c;
  const top = (last * c) / (c - a);
  return top / (sum + top);
}

describe('the staffing simulation against queueing theory', () => {
  it('gives M/M/1 mean wait with one analyst (λ 3/h, work 12 min: ρ 0.6, Wq 18 min)', () => {
    const wq = (0.6 / (5 - 3)) * 60;
    const simulated = simulatedWait(mm(3, 12), 1, 30, 60);
    expect(Math.abs(simulated - wq) / wq, `simulated ${simulated.toFixed(2)} min against ${wq} min`).toBeLessThan(0.05);
  });

  it('gives Erlang C mean wait with three analysts (λ 12/h, work 12 min: a 2.4, ρ 0.8)', () => {
    const [c, lambda, mu] = [3, 12, 5];
    const wq = (erlangC(c, lambda / mu) / (c * mu - lambda)) * 60;
    const simulated = simulatedWait(mm(lambda, 12), c, 30, 30);
    expect(Math.abs(simulated - wq) / wq, `simulated ${simulated.toFixed(2)} min against ${wq.toFixed(2)} min`).toBeLessThan(0.05);
  });

  it('meets every SLA with no arrivals, and more analysts never lower compliance', () => {
    const quiet = forecastStaffing(mm(0, 12, 600), { analysts: [1], horizonDays: 7, runs: 3, seed: 1 });
    expect(quiet.levels[0]!.compliance.overall).toBe(1);
    for (const seed of [1, 50, 900]) {
      const levels = forecastStaffing(mm(9, 20, 1800), { analysts: [3, 4, 6, 8], horizonDays: 14, runs: 10, seed }).levels.map((l) => l.compliance.overall!);
      for (let i = 1; i < levels.length; i++) expect(levels[i]!, `seed ${seed}: ${levels.join(', ')}`).toBeGreaterThanOrEqual(levels[i - 1]!);
    }
  });

  it('answers byte for byte the same for the same seed, and names the smallest staffing that meets the target', () => {
    const request = { analysts: [2, 3, 4], horizonDays: 10, runs: 8, seed: 42, target: { P2: 0.7 } };
    const first = JSON.stringify(forecastStaffing(mm(6, 20, 1800), request));
    expect(JSON.stringify(forecastStaffing(mm(6, 20, 1800), request))).toBe(first);
    const forecast = JSON.parse(first);
    expect(forecast.smallest).toBe(4);
    expect(forecast.levels.map((l: { compliance: { byPriority: { P2: number } } }) => l.compliance.byPriority.P2 >= 0.7)).toEqual([false, false, true]);
    expect(forecast.levels[0].interval90[0]).toBeLessThanOrEqual(forecast.levels[0].compliance.overall);
  });

  it('shows what a process change buys: less effort in a stage, a wait removed', () => {
    const model: StaffingModel = {
      priorities: {
        P1: {
          arrivalsPerHour: Array.from({ length: HOURS_OF_WEEK }, () => 2),
          initial: 'triage',
          stages: [
            { stage: 'triage', effort: { kind: 'exponential', meanMinutes: 25 }, slaSeconds: 1800, next: { contain: 1 } },
            { stage: 'contain', effort: { kind: 'fixed', minutes: 10 }, waiting: { kind: 'fixed', minutes: 120 }, slaSeconds: 3600 },
          ],
        },
      },
    };
    const request = { analysts: [2], horizonDays: 14, runs: 6, seed: 7 };
    const before = forecastStaffing(model, request).levels[0]!;
    const after = forecastStaffing(withWhatIf(model, { effortScale: { triage: 0.6 }, removeWaiting: ['contain'] }), request).levels[0]!;
    expect(after.compliance.byStage.triage!).toBeGreaterThan(before.compliance.byStage.triage!);
    expect(before.compliance.byStage.contain).toBe(0);
    expect(after.compliance.byStage.contain!).toBeGreaterThan(0.9);
  });
});
