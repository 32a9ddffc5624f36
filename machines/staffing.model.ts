/**
 * The staffing model a simulation runs on: when incidents arrive (an hourly rate per hour of the
 * week and priority), and, per priority, the stages they go through - each with the hands-on
 * effort an analyst spends (a distribution), the waiting no analyst can shorten (approvals, on
 * hold), the SLA target, and where incidents go next (shares of the outgoing transitions). Built
 * from measurements (db/staffing.reads.ts) or given whole (tests, what-ifs). Pure.
 */
import type { Priority } from './playbook.types.js';

export const HOURS_OF_WEEK = 168;

/** Minutes: an exponential with this mean, or samples drawn with replacement (measured values). */
export type Duration = { kind: 'exponential'; meanMinutes: number } | { kind: 'empirical'; minutes: number[] } | { kind: 'fixed'; minutes: number };

export interface StageModel {
  stage: string;
  effort: Duration;
  /** Waiting after the work, that no analyst shortens (default none). */
  waiting?: Duration;
  /** What the measured waiting was, by cause (approval, hold, other): how many passes and their mean. For people; the simulation draws `waiting`. */
  waitingCauses?: Record<string, { passes: number; meanMinutes: number }>;
  /** The stage's SLA target, seconds (none: not measured for compliance). */
  slaSeconds?: number;
  /** Where incidents go after it: stage name (or `closed`) → share; shares sum to 1 (default: closed). */
  next?: Record<string, number>;
}

export interface PriorityModel {
  /** Incidents an hour arriving, per hour of the week (0 = Monday 00:00 UTC), 168 values. */
  arrivalsPerHour: number[];
  /** The first stage an incident enters. */
  initial: string;
  stages: StageModel[];
}

export interface StaffingModel {
  priorities: Partial<Record<Priority, PriorityModel>>;
}

export interface StaffingWhatIf {
  /** Scales a stage's effort (e.g. 0.6: "context gathering automated, triage effort -40 %"). */
  effortScale?: Record<string, number>;
  /** Stages whose waiting is removed (an approval gate taken out). */
  removeWaiting?: string[];
}

/** The model with a what-if applied: effort scaled, waiting removed. */
export function withWhatIf(model: StaffingModel, whatIf: StaffingWhatIf | undefined): StaffingModel {
  if (!whatIf) return model;
  const scale = (d: Duration, by: number): Duration =>
    d.kind === 'exponential' ? { kind: 'exponential', meanMinutes: d.meanMinutes * by } : d.kind === 'fixed' ? { kind: 'fixed', minutes: d.minutes * by } : { kind: 'empirical', minutes: d.minutes.map((m) => m * by) };
  const priorities = Object.fromEntries(
    Object.entries(model.priorities).map(([p, pm]) => [
      p,
      {
        ...pm!,
        stages: pm!.stages.map((s) => {
          const by = whatIf.effortScale?.[s.stage];
          const { waiting, ...rest } = { ...s, ...(by !== undefined ? { effort: scale(s.effort, by) } : {}) };
          return whatIf.removeWaiting?.includes(s.stage) || !waiting ? rest : { ...rest, waiting };
        }),
      },
    ]),
  );
  return { priorities };
}
