/**
 * A discrete-event simulation of the SOC as a queue: incidents arrive by hour of week and
 * priority, each stage is a piece of work one analyst does (no preemption) after waiting in one
 * queue ordered by ITIL priority, then by the stage's SLA deadline; waiting no analyst shortens
 * (approvals, holds) follows the work. Time is in minutes from the start of the horizon (a Monday
 * 00:00), the system starts empty, and incidents still open when the horizon ends are followed
 * for up to a week more. Seeded (pure-rand's xoroshiro128+): the same seed gives the same run.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { MinHeap } from './min-heap.js';
import { HOURS_OF_WEEK, type Duration, type PriorityModel, type StaffingModel } from './staffing.model.js';
import { PRIORITIES, type Priority } from './playbook.types.js';

export interface RunOutcome {
  /** Stage passes with an SLA, and those that met it, by priority and stage. */
  met: Record<string, { met: number; measured: number }>;
  /** Minutes each stage's work waited for an analyst. */
  waits: number[];
  busyMinutes: number;
  horizonMinutes: number;
  /** Work waiting or in hand at the end of each day. */
  backlog: number[];
}

interface Work {
  incident: number;
  priority: Priority;
  rank: number;
  stage: number;
  enteredAt: number;
  deadline: number;
  order: number;
}

type Event = { at: number; order: number; kind: 'arrive' | 'worked' | 'waited'; work: Work };

const DAY = 1440;
const FOLLOW_UP = 7 * DAY;

export function sampler(seed: number) {
  const rng = xoroshiro128plus(seed);
  const uniform = () => uniformFloat64(rng);
  const draw = (d: Duration | undefined): number => {
    if (!d) return 0;
    if (d.kind === 'fixed') return d.minutes;
    if (d.kind === 'exponential') return -Math.log(1 - uniform()) * d.meanMinutes;
    return d.minutes.length === 0 ? 0 : d.minutes[Math.floor(uniform() * d.minutes.length)]!;
  };
  return { uniform, draw };
}

/** Arrival instants (minutes) of one priority over the horizon: a Poisson process whose rate changes by the hour. */
function arrivals(model: PriorityModel, horizon: number, uniform: () => number): number[] {
  const out: number[] = [];
  for (let hourStart = 0; hourStart < horizon; hourStart += 60) {
    const perMinute = (model.arrivalsPerHour[Math.floor(hourStart / 60) % HOURS_OF_WEEK] ?? 0) / 60;
    if (perMinute <= 0) continue;
    const end = Math.min(hourStart + 60, horizon);
    for (let t = hourStart - Math.log(1 - uniform()) / perMinute; t < end; t -= Math.log(1 - uniform()) / perMinute) out.push(t);
  }
  return out;
}

function choose(next: Record<string, number> | undefined, uniform: () => number): string {
  if (!next) return 'closed';
  let u = uniform();
  let last = 'closed';
  for (const [stage, share] of Object.entries(next)) {
    last = stage;
    if ((u -= share) < 0) return stage;
  }
  return last;
}

/** One run: `analysts` on shift all the time over `horizonDays`. */
export function simulateRun(model: StaffingModel, analysts: number, horizonDays: number, seed: number): RunOutcome {
  const { uniform, draw } = sampler(seed);
  const horizon = horizonDays * DAY;
  const events = new MinHeap<Event>((a, b) => a.at - b.at || a.order - b.order);
  const ready = new MinHeap<Work>((a, b) => a.rank - b.rank || a.deadline - b.deadline || a.order - b.order);
  const outcome: RunOutcome = { met: {}, waits: [], busyMinutes: 0, horizonMinutes: horizon, backlog: [] };
  let order = 0;
  let incidents = 0;
  let free = analysts;
  let inHand = 0;
  const stagesOf = (p: Priority) => model.priorities[p]!.stages;
  const enter = (work: Work, stageName: string, at: number) => {
    const stage = stagesOf(work.priority).findIndex((s) => s.stage === stageName);
    if (stage < 0) return;
    const sla = stagesOf(work.priority)[stage]!.slaSeconds;
    ready.push({ ...work, stage, enteredAt: at, deadline: sla === undefined ? Infinity : at + sla / 60, order: order++ });
  };
  for (const priority of PRIORITIES) {
    const pm = model.priorities[priority];
    if (!pm) continue;
    for (const at of arrivals(pm, horizon, uniform)) events.push({ at, order: order++, kind: 'arrive', work: { incident: incidents++, priority, rank: PRIORITIES.indexOf(priority), stage: -1, enteredAt: at, deadline: Infinity, order: 0 } });
  }
  const finish = (work: Work, at: number) => {
    const stage = stagesOf(work.priority)[work.stage]!;
    if (stage.slaSeconds !== undefined) {
      const key = `${work.priority}|${stage.stage}`;
      const cell = (outcome.met[key] ??= { met: 0, measured: 0 });
      cell.measured += 1;
      if ((at - work.enteredAt) * 60 <= stage.slaSeconds) cell.met += 1;
    }
    const next = choose(stage.next, uniform);
    if (next !== 'closed') enter(work, next, at);
  };
  const dispatch = (at: number) => {
    while (free > 0 && ready.size > 0) {
      const work = ready.pop()!;
      free -= 1;
      inHand += 1;
      outcome.waits.push(at - work.enteredAt);
      const effort = draw(stagesOf(work.priority)[work.stage]!.effort);
      outcome.busyMinutes += Math.max(0, Math.min(at + effort, horizon) - Math.min(at, horizon));
      events.push({ at: at + effort, order: order++, kind: 'worked', work });
    }
  };
  let day = 1;
  for (let event = events.pop(); event && event.at <= horizon + FOLLOW_UP; event = events.pop()) {
    for (; day * DAY <= Math.min(event.at, horizon); day++) outcome.backlog.push(ready.size + inHand);
    if (event.kind === 'arrive') enter(event.work, model.priorities[event.work.priority]!.initial, event.at);
    else if (event.kind === 'worked') {
      free += 1;
      inHand -= 1;
      const waiting = draw(stagesOf(event.work.priority)[event.work.stage]!.waiting);
      if (waiting > 0) events.push({ at: event.at + waiting, order: order++, kind: 'waited', work: event.work });
      else finish(event.work, event.at);
    } else finish(event.work, event.at);
    dispatch(event.at);
  }
  for (; day <= horizonDays; day++) outcome.backlog.push(ready.size + inHand);
  // Work still queued when the follow-up ends counts against its SLA when it is already late.
  const end = horizon + FOLLOW_UP;
  for (let work = ready.pop(); work; work = ready.pop()) {
    const sla = stagesOf(work.priority)[work.stage]!.slaSeconds;
    if (sla === undefined || (end - work.enteredAt) * 60 <= sla) continue;
    const cell = (outcome.met[`${work.priority}|${stagesOf(work.priority)[work.stage]!.stage}`] ??= { met: 0, measured: 0 });
    cell.measured += 1;
  }
  return outcome;
}
