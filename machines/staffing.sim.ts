/**
 * A discrete-event simulation of the SOC as a queue: incidents arrive by hour of week and
 * priority, each stage is a piece of work one analyst does (no preemption) after waiting in one
 * queue ordered by ITIL priority, then by the stage's SLA deadline; waiting no analyst shortens
 * (approvals, holds) follows the work. Analysts on duty are a number, or one per hour of the week
 * (a shift calendar): when a shift ends, who holds work finishes it before leaving. Time is in minutes from the start of the horizon (a Monday
 * 00:00), the system starts empty, and incidents still open when the horizon ends are followed
 * for up to a week more. Seeded (pure-rand's xoroshiro128+): the same seed gives the same run.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { MinHeap } from './min-heap.js';
import { HOURS_OF_WEEK, type Duration, type PriorityModel, type StaffingModel } from './staffing.model.js';
import { PRIORITIES, type Priority } from './playbook.types.js';

/** Minutes of queue wait per histogram bin, and the bins kept (waits beyond land in the last). */
export const WAIT_BIN_MINUTES = 0.5;
export const WAIT_BINS = 2 * 7 * 24 * 60;

export interface RunOutcome {
  /** Stage passes with an SLA, and those that met it, by priority and stage ("P2|triage"). */
  met: Record<string, { met: number; measured: number }>;
  /** Queue waits (minutes) of the work an analyst took up: their sum, count and histogram. */
  waitSum: number;
  waitCount: number;
  waitHistogram: Uint32Array;
  busyMinutes: number;
  horizonMinutes: number;
  /** Analyst-minutes on duty over the horizon (analysts × horizon when they are a constant). */
  capacityMinutes: number;
  /** Time from entering a stage to leaving it (queue, work, waiting), by priority and stage: sum and count of minutes. */
  stageTime: Record<string, { sum: number; count: number }>;
  /** Work waiting or in hand at the end of each day. */
  backlog: number[];
}

interface Work {
  priority: number;
  /** ITIL rank of its priority (P1 = 0): the queue's first key. */
  rank: number;
  stage: number;
  enteredAt: number;
  deadline: number;
  order: number;
}

/** A priority's stages by index: what the event loop needs, looked up by number, not by name. */
interface CompiledPriority {
  name: Priority;
  rank: number;
  initial: number;
  stages: Array<{ key: string; effort: Duration; waiting?: Duration; sla: number; nextIndex: number[]; nextCumulative: number[] }>;
}

function compile(model: StaffingModel): CompiledPriority[] {
  return PRIORITIES.flatMap((name, rank) => {
    const pm = model.priorities[name];
    if (!pm) return [];
    const index = (stage: string) => pm.stages.findIndex((s) => s.stage === stage);
    const stages = pm.stages.map((s) => {
      const next = Object.entries(s.next ?? {});
      let sum = 0;
      return {
        key: `${name}|${s.stage}`,
        effort: s.effort,
        ...(s.waiting ? { waiting: s.waiting } : {}),
        sla: s.slaSeconds === undefined ? Infinity : s.slaSeconds / 60,
        nextIndex: next.map(([stage]) => (stage === 'closed' ? -1 : index(stage))),
        nextCumulative: next.map(([, share]) => (sum += share)),
      };
    });
    return [{ name, rank, initial: index(pm.initial), stages }];
  });
}

type Event = { at: number; order: number; kind: 'worked' | 'waited'; work: Work };

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

function chooseNext(stage: CompiledPriority['stages'][number], uniform: () => number): number {
  const n = stage.nextIndex.length;
  if (n === 0) return -1;
  const u = uniform();
  for (let i = 0; i < n; i++) if (u < stage.nextCumulative[i]!) return stage.nextIndex[i]!;
  return stage.nextIndex[n - 1]!;
}

/** Analysts on duty: a constant, or one count per hour of the week (0 = Monday 00:00 UTC). */
export type OnDuty = number | readonly number[];

const dutyAt = (onDuty: OnDuty, hour: number): number => (typeof onDuty === 'number' ? onDuty : (onDuty[hour % HOURS_OF_WEEK] ?? 0));

/** Where the count on duty changes, in time order (minutes), up to `until`. */
function dutyChanges(onDuty: OnDuty, until: number): Array<{ at: number; analysts: number }> {
  const changes: Array<{ at: number; analysts: number }> = [];
  if (typeof onDuty === 'number') return changes;
  for (let hour = 1, last = dutyAt(onDuty, 0); hour * 60 < until; hour++) {
    const now = dutyAt(onDuty, hour);
    if (now !== last) changes.push({ at: hour * 60, analysts: now });
    last = now;
  }
  return changes;
}

function capacity(onDuty: OnDuty, horizon: number): number {
  if (typeof onDuty === 'number') return onDuty * horizon;
  let minutes = 0;
  for (let hour = 0; hour * 60 < horizon; hour++) minutes += dutyAt(onDuty, hour) * Math.min(60, horizon - hour * 60);
  return minutes;
}

/** One run: `analysts` on duty over `horizonDays`; waits before `recordFrom` (minutes) are left out of the wait figures. */
export function simulateRun(model: StaffingModel, analysts: OnDuty, horizonDays: number, seed: number, recordFrom = 0): RunOutcome {
  const { uniform, draw } = sampler(seed);
  const priorities = compile(model);
  const horizon = horizonDays * DAY;
  const events = new MinHeap<Event>((a, b) => a.at - b.at || a.order - b.order);
  const ready = new MinHeap<Work>((a, b) => a.rank - b.rank || a.deadline - b.deadline || a.order - b.order);
  const outcome: RunOutcome = { met: {}, waitSum: 0, waitCount: 0, waitHistogram: new Uint32Array(WAIT_BINS), busyMinutes: 0, horizonMinutes: horizon, capacityMinutes: capacity(analysts, horizon), stageTime: {}, backlog: [] };
  let order = 0;
  // Negative while more analysts hold work than are on duty: they leave as they finish.
  let free = dutyAt(analysts, 0);
  let onDuty = free;
  const changes = dutyChanges(analysts, horizon + FOLLOW_UP);
  let inHand = 0;
  const stageOf = (work: Work) => priorities[work.priority]!.stages[work.stage]!;
  // Each incident is one work item moving from stage to stage: in the queue, in hand or waiting, never two at once.
  const enter = (work: Work, stage: number, at: number) => {
    if (stage < 0) return;
    work.stage = stage;
    work.enteredAt = at;
    work.deadline = at + stageOf(work).sla;
    work.order = order++;
    ready.push(work);
  };
  const count = (work: Work, met: boolean) => {
    const cell = (outcome.met[stageOf(work).key] ??= { met: 0, measured: 0 });
    cell.measured += 1;
    if (met) cell.met += 1;
  };
  // Arrivals in time order beside the event heap, which then holds only work in hand and waiting:
  // a short heap, cheap to keep. At the same instant an arrival goes first.
  const incoming = priorities.flatMap((compiled, p) => arrivals(model.priorities[compiled.name]!, horizon, uniform).map((at) => ({ at, p }))).sort((a, b) => a.at - b.at || a.p - b.p);
  const finish = (work: Work, at: number) => {
    const stage = stageOf(work);
    if (stage.sla !== Infinity) count(work, at - work.enteredAt <= stage.sla);
    const time = (outcome.stageTime[stage.key] ??= { sum: 0, count: 0 });
    time.sum += at - work.enteredAt;
    time.count += 1;
    enter(work, chooseNext(stage, uniform), at);
  };
  const dispatch = (at: number) => {
    while (free > 0 && ready.size > 0) {
      const work = ready.pop()!;
      free -= 1;
      inHand += 1;
      if (at >= recordFrom) {
        const wait = at - work.enteredAt;
        outcome.waitSum += wait;
        outcome.waitCount += 1;
        outcome.waitHistogram[Math.min(WAIT_BINS - 1, Math.floor(wait / WAIT_BIN_MINUTES))]! += 1;
      }
      const effort = draw(stageOf(work).effort);
      outcome.busyMinutes += Math.max(0, Math.min(at + effort, horizon) - Math.min(at, horizon));
      events.push({ at: at + effort, order: order++, kind: 'worked', work });
    }
  };
  let day = 1;
  for (let next = 0, nextChange = 0; ; ) {
    const arrival = incoming[next];
    const top = events.peek();
    // Shift changes matter while anything can still happen: work queued for the next shift included.
    const change = arrival || top || ready.size > 0 ? changes[nextChange] : undefined;
    if (!arrival && !top && !change) break;
    const at = Math.min(arrival?.at ?? Infinity, top?.at ?? Infinity);
    // A shift change at or before the next arrival or event comes first.
    if (change && change.at <= at) {
      nextChange += 1;
      for (; day * DAY <= Math.min(change.at, horizon); day++) outcome.backlog.push(ready.size + inHand);
      free += change.analysts - onDuty;
      onDuty = change.analysts;
      dispatch(change.at);
      continue;
    }
    if (at > horizon + FOLLOW_UP) break;
    for (; day * DAY <= Math.min(at, horizon); day++) outcome.backlog.push(ready.size + inHand);
    if (arrival && at === arrival.at && (!top || arrival.at <= top.at)) {
      next += 1;
      const compiled = priorities[arrival.p]!;
      enter({ priority: arrival.p, rank: compiled.rank, stage: -1, enteredAt: at, deadline: Infinity, order: 0 }, compiled.initial, at);
      dispatch(at);
      continue;
    }
    const event = events.pop()!;
    if (event.kind === 'worked') {
      free += 1;
      inHand -= 1;
      const waiting = draw(stageOf(event.work).waiting);
      if (waiting > 0) events.push({ at: event.at + waiting, order: order++, kind: 'waited', work: event.work });
      else finish(event.work, event.at);
    } else finish(event.work, event.at);
    dispatch(event.at);
  }
  for (; day <= horizonDays; day++) outcome.backlog.push(ready.size + inHand);
  // Work still queued when the follow-up ends counts against its SLA when it is already late.
  const end = horizon + FOLLOW_UP;
  for (let work = ready.pop(); work; work = ready.pop()) if (end - work.enteredAt > stageOf(work).sla) count(work, false);
  return outcome;
}
