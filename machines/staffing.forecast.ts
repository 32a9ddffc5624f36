/**
 * Staffing forecasts from simulation runs: per staffing level, the predicted SLA compliance
 * (overall, by priority, by stage) as the mean over the runs with a 90 % interval, the queue wait
 * (mean, p90), the analysts' utilisation and the backlog day by day; and the smallest level that
 * meets a target by priority. Every level runs on the same seeds (common random numbers), so
 * levels differ by their staffing, not by their luck. Deterministic for a seed. Pure.
 */
import type { Priority } from './playbook.types.js';
import type { StaffingModel } from './staffing.model.js';
import { simulateRun, WAIT_BIN_MINUTES, WAIT_BINS, type OnDuty, type RunOutcome } from './staffing.sim.js';

export interface ForecastRequest {
  analysts: number[];
  horizonDays: number;
  runs: number;
  seed: number;
  /** Compliance each priority must reach (e.g. {P1: 0.95, P2: 0.9}). */
  target?: Partial<Record<Priority, number>>;
  /**
   * The share of a level on duty in each hour of the week (168 values, 0 = Monday 00:00 UTC; from
   * a shift calendar, machines/staffing.shifts.ts); without, the whole level all the time.
   */
  dutyShares?: number[];
}

export interface LevelForecast {
  analysts: number;
  compliance: { overall: number | null; byPriority: Record<string, number | null>; byStage: Record<string, number | null> };
  /** The 5th and 95th percentile of overall compliance over the runs. */
  interval90: [number, number] | null;
  wait: { mean: number; p90: number };
  /** Utilisation of the analyst-minutes on duty. */
  utilisation: number;
  /** Mean minutes from entering a stage to leaving it (queue, work and waiting), by stage. */
  timeInStage: Record<string, number | null>;
  backlog: number[];
}

export interface StaffingForecast {
  levels: LevelForecast[];
  smallest?: number;
}

const round = (x: number, places = 4) => Math.round(x * 10 ** places) / 10 ** places;

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low]! + (sorted[Math.min(low + 1, sorted.length - 1)]! - sorted[low]!) * (at - low);
}

/** Compliance of the cells a key selector groups, summed over one run: null with nothing measured. */
function share(run: RunOutcome, keep: (priority: string, stage: string) => boolean): number | null {
  let met = 0;
  let measured = 0;
  for (const [key, cell] of Object.entries(run.met)) {
    const [priority, stage] = key.split('|') as [string, string];
    if (!keep(priority, stage)) continue;
    met += cell.met;
    measured += cell.measured;
  }
  return measured === 0 ? null : met / measured;
}

/** The p90 of the waits of every run, from their histograms: the lower edge of its half-minute bin. */
function waitP90(runs: RunOutcome[]): number {
  const total = runs.reduce((a, r) => a + r.waitCount, 0);
  if (total === 0) return 0;
  let seen = 0;
  for (let bin = 0; bin < WAIT_BINS; bin++) {
    for (const run of runs) seen += run.waitHistogram[bin]!;
    if (seen >= 0.9 * total) return bin * WAIT_BIN_MINUTES;
  }
  return WAIT_BINS * WAIT_BIN_MINUTES;
}

const meanOf = (values: Array<number | null>): number | null => {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : round(known.reduce((a, b) => a + b, 0) / known.length);
};

function timeInStage(runs: RunOutcome[], stages: string[]): Record<string, number | null> {
  return Object.fromEntries(
    stages.map((stage) => {
      let sum = 0;
      let count = 0;
      for (const run of runs)
        for (const [key, time] of Object.entries(run.stageTime)) {
          if (key.split('|')[1] !== stage) continue;
          sum += time.sum;
          count += time.count;
        }
      return [stage, count === 0 ? null : round(sum / count, 2)];
    }),
  );
}

/** Analysts on duty each hour of the week: the level scaled by the hour's share, rounded. */
export function onDutyOf(analysts: number, dutyShares: number[] | undefined): OnDuty {
  return dutyShares ? dutyShares.map((share) => Math.round(analysts * share)) : analysts;
}

function level(analysts: number, runs: RunOutcome[]): LevelForecast {
  const keys = new Set(runs.flatMap((r) => Object.keys(r.met)));
  const priorities = [...new Set([...keys].map((k) => k.split('|')[0]!))].sort();
  const stages = [...new Set([...keys].map((k) => k.split('|')[1]!))].sort();
  const overall = runs.map((r) => share(r, () => true));
  const known = overall.filter((v): v is number => v !== null).sort((a, b) => a - b);
  const waitCount = runs.reduce((a, r) => a + r.waitCount, 0);
  const days = Math.max(0, ...runs.map((r) => r.backlog.length));
  return {
    analysts,
    compliance: {
      // Nothing measured (no arrivals): every SLA was met.
      overall: meanOf(overall) ?? 1,
      byPriority: Object.fromEntries(priorities.map((p) => [p, meanOf(runs.map((r) => share(r, (q) => q === p)))])),
      byStage: Object.fromEntries(stages.map((s) => [s, meanOf(runs.map((r) => share(r, (_q, t) => t === s)))])),
    },
    interval90: known.length === 0 ? null : [round(quantile(known, 0.05)), round(quantile(known, 0.95))],
    wait: { mean: round(waitCount === 0 ? 0 : runs.reduce((a, r) => a + r.waitSum, 0) / waitCount, 2), p90: waitP90(runs) },
    utilisation: round(runs.reduce((a, r) => a + (r.capacityMinutes > 0 ? r.busyMinutes / r.capacityMinutes : 0), 0) / runs.length),
    timeInStage: timeInStage(runs, stages),
    backlog: Array.from({ length: days }, (_, d) => round(runs.reduce((a, r) => a + (r.backlog[d] ?? 0), 0) / runs.length, 2)),
  };
}

export function meetsTarget(forecast: LevelForecast, target: Partial<Record<Priority, number>>): boolean {
  return Object.entries(target).every(([priority, wanted]) => (forecast.compliance.byPriority[priority] ?? 1) >= wanted!);
}

export function forecastStaffing(model: StaffingModel, request: ForecastRequest, progress?: (done: number, total: number) => void): StaffingForecast {
  const levels: LevelForecast[] = [];
  const total = request.analysts.length * request.runs;
  for (const [i, analysts] of request.analysts.entries()) {
    const onDuty = onDutyOf(analysts, request.dutyShares);
    const runs = Array.from({ length: request.runs }, (_, run) => simulateRun(model, onDuty, request.horizonDays, request.seed + run));
    levels.push(level(analysts, runs));
    progress?.((i + 1) * request.runs, total);
  }
  return { levels, ...smallestMeeting(levels, request.target) };
}

/** The smallest staffing level that meets the target, when one does. */
export function smallestMeeting(levels: LevelForecast[], target: ForecastRequest['target']): { smallest?: number } {
  const meeting = target ? levels.filter((l) => meetsTarget(l, target)).map((l) => l.analysts) : [];
  return meeting.length > 0 ? { smallest: Math.min(...meeting) } : {};
}
