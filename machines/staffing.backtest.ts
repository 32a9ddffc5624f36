/**
 * A backtest's verdict: the compliance a model fitted on the first part of a window predicted for
 * the rest, against what the rest measured (each stage pass's time against its SLA target), and
 * the error, overall and by priority. Pure.
 */
import type { LevelForecast } from './staffing.forecast.js';
import type { StaffingModel } from './staffing.model.js';

export interface Compliance {
  overall: number | null;
  byPriority: Record<string, number | null>;
}

export interface BacktestVerdict {
  predicted: Compliance;
  measured: Compliance;
  /** predicted − measured: positive when the model was too hopeful. */
  error: Compliance;
  /** Mean minutes in each stage (queue, work, waiting): predicted, measured, and predicted − measured. */
  timeInStage: { predicted: Record<string, number | null>; measured: Record<string, number | null>; error: Record<string, number | null> };
}

/** What a period measured: the mean minutes of a stage's passes (work and waiting), by stage over every priority. */
export function measuredTimeInStage(model: StaffingModel): Record<string, number | null> {
  const totals = new Map<string, { sum: number; count: number }>();
  for (const pm of Object.values(model.priorities)) {
    for (const stage of pm!.stages) {
      if (stage.effort.kind !== 'empirical') continue;
      const waiting = stage.waiting?.kind === 'empirical' ? stage.waiting.minutes : [];
      const total = totals.get(stage.stage) ?? { sum: 0, count: 0 };
      stage.effort.minutes.forEach((m, i) => (total.sum += m + (waiting[i] ?? 0)));
      total.count += stage.effort.minutes.length;
      totals.set(stage.stage, total);
    }
  }
  return Object.fromEntries([...totals].sort().map(([stage, t]) => [stage, t.count === 0 ? null : Math.round((t.sum / t.count) * 100) / 100]));
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** What a period measured: stage passes (their minutes) within their SLA, of those with one. */
export function measuredCompliance(model: StaffingModel): Compliance {
  let met = 0;
  let measured = 0;
  const byPriority: Record<string, number | null> = {};
  for (const [priority, pm] of Object.entries(model.priorities)) {
    let pMet = 0;
    let pMeasured = 0;
    for (const stage of pm!.stages) {
      if (stage.slaSeconds === undefined || stage.effort.kind !== 'empirical') continue;
      pMeasured += stage.effort.minutes.length;
      pMet += stage.effort.minutes.filter((m) => m * 60 <= stage.slaSeconds!).length;
    }
    byPriority[priority] = pMeasured === 0 ? null : round(pMet / pMeasured);
    met += pMet;
    measured += pMeasured;
  }
  return { overall: measured === 0 ? null : round(met / measured), byPriority };
}

const difference = (a: number | null | undefined, b: number | null | undefined) => (a === null || a === undefined || b === null || b === undefined ? null : round(a - b));

export function backtestVerdict(predicted: LevelForecast, measured: Compliance, measuredTime: Record<string, number | null> = {}): BacktestVerdict {
  const stages = [...new Set([...Object.keys(predicted.timeInStage), ...Object.keys(measuredTime)])].sort();
  const priorities = [...new Set([...Object.keys(predicted.compliance.byPriority), ...Object.keys(measured.byPriority)])].sort();
  const predictedCompliance: Compliance = { overall: predicted.compliance.overall, byPriority: predicted.compliance.byPriority };
  return {
    predicted: predictedCompliance,
    measured,
    error: {
      overall: difference(predicted.compliance.overall, measured.overall),
      byPriority: Object.fromEntries(priorities.map((p) => [p, difference(predicted.compliance.byPriority[p], measured.byPriority[p])])),
    },
    timeInStage: {
      predicted: predicted.timeInStage,
      measured: measuredTime,
      error: Object.fromEntries(stages.map((stage) => [stage, difference(predicted.timeInStage[stage], measuredTime[stage])])),
    },
  };
}
