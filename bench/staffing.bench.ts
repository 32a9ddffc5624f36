/**
 * The staffing forecast at the size of a year of history (~100,000 incidents: a model of ~1,920
 * arrivals a week in a working-hours pattern, three priorities, three stages with 5,000 measured
 * stage times each): 4 staffing levels × 200 runs × a 30-day horizon, as POST
 * /v1/simulations/staffing runs it, on worker threads (goal: under 5 s on this machine). Baseline: the arrivals alone,
 * generated and ordered by time - the floor of any event-driven simulation of the same month.
 *
 *   npm run bench:staffing
 */
import { forecastOnThreads } from '../api/staffing-runs.js';
import { HOURS_OF_WEEK, type StaffingModel, type StageModel } from '../machines/staffing.model.js';
import { sampler } from '../machines/staffing.sim.js';
import { reportFigure } from './report.js';
import { availableParallelism } from 'node:os';

const PER_WEEK = 100_000 / 52;
const LEVELS = [6, 8, 10, 12];
const RUNS = Number(process.env.BENCH_STAFFING_RUNS ?? 200);

/** Busier in working hours (08-18 on weekdays), never empty. */
function profile(share: number): number[] {
  const weights = Array.from({ length: HOURS_OF_WEEK }, (_, h) => (h < 120 && h % 24 >= 8 && h % 24 < 18 ? 3 : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => (w / total) * PER_WEEK * share);
}

function samples(seed: number, meanMinutes: number): number[] {
  const { draw } = sampler(seed);
  return Array.from({ length: 5000 }, () => Math.round(draw({ kind: 'exponential', meanMinutes }) * 100) / 100);
}

function model(): StaffingModel {
  const stages = (sla: number): StageModel[] => [
    { stage: 'triage', effort: { kind: 'empirical' as const, minutes: samples(1, 6) }, slaSeconds: sla, next: { analysis: 0.4, closed: 0.6 } },
    { stage: 'analysis', effort: { kind: 'empirical' as const, minutes: samples(2, 20) }, slaSeconds: sla * 4, next: { containment: 0.5, closed: 0.5 } },
    { stage: 'containment', effort: { kind: 'empirical' as const, minutes: samples(3, 30) }, waiting: { kind: 'exponential' as const, meanMinutes: 30 }, slaSeconds: sla * 8 },
  ];
  return {
    priorities: {
      P1: { arrivalsPerHour: profile(0.05), initial: 'triage', stages: stages(900) },
      P2: { arrivalsPerHour: profile(0.25), initial: 'triage', stages: stages(3600) },
      P3: { arrivalsPerHour: profile(0.7), initial: 'triage', stages: stages(4 * 3600) },
    },
  };
}

function arrivalsOnly(m: StaffingModel, seed: number): number {
  const { uniform } = sampler(seed);
  const times: number[] = [];
  for (const pm of Object.values(m.priorities)) {
    for (let hour = 0; hour < 30 * 24; hour++) {
      const perMinute = pm!.arrivalsPerHour[hour % HOURS_OF_WEEK]! / 60;
      for (let t = hour * 60 - Math.log(1 - uniform()) / perMinute; t < hour * 60 + 60; t -= Math.log(1 - uniform()) / perMinute) times.push(t);
    }
  }
  return times.sort((a, b) => a - b).length;
}

async function main(): Promise<void> {
  const m = model();
  const started = performance.now();
  // As the API runs it: the levels shared out over worker threads, one a core.
  const forecast = await forecastOnThreads(m, { analysts: LEVELS, horizonDays: 30, runs: RUNS, seed: 1, target: { P1: 0.95, P2: 0.9 } });
  const seconds = (performance.now() - started) / 1000;
  const floorStarted = performance.now();
  let arrivals = 0;
  for (let run = 0; run < RUNS * LEVELS.length; run++) arrivals = arrivalsOnly(m, run + 1);
  const floor = (performance.now() - floorStarted) / 1000;
  for (const level of forecast.levels) console.log(`  ${level.analysts} analysts: compliance ${level.compliance.overall}, P1 ${level.compliance.byPriority.P1}, wait mean ${level.wait.mean} min, utilisation ${level.utilisation}`);
  console.log(`${LEVELS.length} levels × ${RUNS} runs × 30 days (${arrivals} arrivals a run): ${seconds.toFixed(2)} s on ${availableParallelism()} threads; arrivals alone ${floor.toFixed(2)} s; smallest meeting P1 0.95 / P2 0.9: ${forecast.smallest ?? 'none'}`);
  reportFigure({
    figure: `staffing forecast, ${LEVELS.length} levels × ${RUNS} runs, a year's rate`,
    irflow: `${seconds.toFixed(2)} s`,
    baseline: `arrivals alone ${floor.toFixed(2)} s`,
    ratio: `${(seconds / floor).toFixed(1)}x the time`,
    goal: '< 5 s',
    met: seconds < 5,
  });
}

await main();
