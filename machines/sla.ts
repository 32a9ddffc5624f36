/**
 * SLA clocks: the time allowed in a stage (or for the whole incident, until resolved), chosen by
 * priority or severity, counted only while running, with an escalation ladder at shares of the
 * target. Pure: the workflow owns the timers and passes the time in.
 */
import { businessMsBetween, wallMsUntil, type ClockCalendar } from './calendar.js';
import type { EscalationStep, Priority, Severity, SlaTargets } from './playbook.types.js';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

export function durationMs(duration: string): number {
  const match = /^([1-9][0-9]*)(s|m|h|d|w)$/.exec(duration);
  if (!match) throw new RangeError(`not a duration: ${duration}`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** The target for an incident: by priority when the playbook gives one for it, else by severity. */
export function targetFor(targets: SlaTargets | undefined, priority: Priority, severity: Severity): { ms: number; basis: string } | null {
  const byPriority = targets?.[priority];
  if (byPriority) return { ms: durationMs(byPriority), basis: priority };
  const bySeverity = targets?.[severity];
  return bySeverity ? { ms: durationMs(bySeverity), basis: severity } : null;
}

export interface SlaClock {
  /** `stage` for the clock of the current stage, else the playbook's incident-wide clock name. */
  name: string;
  stage: string | null;
  targetMs: number;
  basis: string;
  startedAt: string;
  /** Running time counted up to `since` (or in all, when paused). */
  elapsedMs: number;
  /** Running since; null while paused. */
  since: string | null;
  escalation: EscalationStep[];
  /** Per ladder step: how many times it fired (0: not yet; repeats count on). */
  fired: number[];
  breached: boolean;
  /** Business hours the clock counts in; wall time when absent. */
  calendar?: ClockCalendar;
}

export function armClock(
  name: string,
  stage: string | null,
  target: { ms: number; basis: string },
  escalation: EscalationStep[],
  now: string,
  calendar?: ClockCalendar,
): SlaClock {
  const clock: SlaClock = { name, stage, targetMs: target.ms, basis: target.basis, startedAt: now, elapsedMs: 0, since: now, escalation, fired: escalation.map(() => 0), breached: false };
  return calendar ? { ...clock, calendar } : clock;
}

/** Counted time: business time in the clock's calendar, else wall time, while running. */
export function elapsedMs(clock: SlaClock, now: string): number {
  if (!clock.since) return clock.elapsedMs;
  const running = clock.calendar ? businessMsBetween(clock.calendar, clock.since, now) : Math.max(0, Date.parse(now) - Date.parse(clock.since));
  return clock.elapsedMs + running;
}

/** Wall time from `now` until `countedMs` more counted time has passed. */
function wallMs(clock: SlaClock, now: string, countedMs: number): number {
  return clock.calendar ? wallMsUntil(clock.calendar, now, countedMs) : countedMs;
}

export function pauseClock(clock: SlaClock, now: string): SlaClock {
  return clock.since ? { ...clock, elapsedMs: elapsedMs(clock, now), since: null } : clock;
}

export function resumeClock(clock: SlaClock, now: string): SlaClock {
  return clock.since ? clock : { ...clock, since: now };
}

/**
 * A new target (priority or severity changed), counting the time already spent. A breached clock
 * whose new target is not yet reached is no longer breached, when `clearBreach` agrees (the
 * workflow's patch: clocks re-targeted before kept their breach).
 */
export function retarget(clock: SlaClock, target: { ms: number; basis: string }, now: string, clearBreach: () => boolean = () => true): SlaClock {
  const next = { ...clock, targetMs: target.ms, basis: target.basis };
  return clock.breached && elapsedMs(clock, now) < target.ms && clearBreach() ? { ...next, breached: false } : next;
}

function share(step: EscalationStep): number {
  return Number(step.at.replace('%', '')) / 100;
}

/** Running time at which each ladder step next fires (its share, then every `repeatEvery`). */
function nextFireAt(clock: SlaClock, index: number): number | null {
  const step = clock.escalation[index]!;
  const times = clock.fired[index]!;
  const first = share(step) * clock.targetMs;
  if (times === 0) return first;
  return step.repeatEvery ? first + times * durationMs(step.repeatEvery) : null;
}

export type ClockEvent =
  | { kind: 'escalated'; index: number; level: number; step: EscalationStep; repeat: number; missed: number }
  | { kind: 'breached' };

/**
 * What is due now, in ladder order (breach among them at 100%); the clock after firing it. Repeats
 * of a step that fell due together (the worker was down) fire once, saying how many were missed,
 * when `collapseRepeats` agrees (the workflow's patch: runs from before fired each one).
 */
export function dueEvents(clock: SlaClock, now: string, collapseRepeats: () => boolean = () => true): { clock: SlaClock; events: Array<ClockEvent & { atMs: number }> } {
  const elapsed = elapsedMs(clock, now);
  const events: Array<ClockEvent & { atMs: number }> = [];
  const fired = [...clock.fired];
  for (let index = 0; index < clock.escalation.length; index += 1) {
    const firings: Array<Extract<ClockEvent, { kind: 'escalated' }> & { atMs: number }> = [];
    for (let at = nextFireAt({ ...clock, fired }, index); at !== null && at <= elapsed; at = nextFireAt({ ...clock, fired }, index)) {
      firings.push({ kind: 'escalated', index, level: index + 1, step: clock.escalation[index]!, repeat: fired[index]!, missed: 0, atMs: at });
      fired[index]! += 1;
    }
    const last = firings.at(-1);
    if (last && firings.length > 1 && collapseRepeats()) events.push({ ...last, missed: firings.length - 1 });
    else events.push(...firings);
  }
  let breached = clock.breached;
  if (!breached && elapsed >= clock.targetMs) {
    events.push({ kind: 'breached', atMs: clock.targetMs });
    breached = true;
  }
  events.sort((a, b) => a.atMs - b.atMs);
  return { clock: { ...clock, fired, breached }, events };
}

/** Milliseconds of running time until the next thing is due; null when paused or nothing is left. */
export function msUntilDue(clock: SlaClock, now: string): number | null {
  if (!clock.since) return null;
  const elapsed = elapsedMs(clock, now);
  const upcoming = clock.escalation.map((_, i) => nextFireAt(clock, i)).filter((at): at is number => at !== null);
  if (!clock.breached) upcoming.push(clock.targetMs);
  const next = Math.min(...upcoming);
  return Number.isFinite(next) ? wallMs(clock, now, Math.max(0, next - elapsed)) : null;
}

export function level(clock: SlaClock): number {
  let highest = 0;
  clock.fired.forEach((times, index) => {
    if (times > 0) highest = index + 1;
  });
  return highest;
}

export interface SlaClockView {
  clock: string;
  stage: string | null;
  basis: string;
  targetSeconds: number;
  startedAt: string;
  /** When the target is reached if the clock keeps running; null while paused. */
  deadline: string | null;
  elapsedSeconds: number;
  asOf: string;
  paused: boolean;
  breached: boolean;
  escalationLevel: number;
  /** The business-hours calendar the clock counts in, if any. */
  calendar: string | null;
  /** The escalation ladder: each step, how often it fired, and when it fires next if the clock keeps running. */
  ladder: LadderStepView[];
}

export interface LadderStepView {
  level: number;
  at: string;
  notify: string[];
  raisePriority: boolean;
  repeatEvery: string | null;
  fired: number;
  /** Null while paused, or when the step will not fire again. */
  nextAt: string | null;
}

function ladderView(clock: SlaClock, now: string, elapsed: number): LadderStepView[] {
  return clock.escalation.map((step, index) => {
    const next = nextFireAt(clock, index);
    const nextAt = clock.since && next !== null ? new Date(Date.parse(now) + wallMs(clock, now, Math.max(0, next - elapsed))).toISOString() : null;
    return { level: index + 1, at: step.at, notify: step.notify, raisePriority: step.raisePriority === true, repeatEvery: step.repeatEvery ?? null, fired: clock.fired[index] ?? 0, nextAt };
  });
}

export function clockView(clock: SlaClock, now: string): SlaClockView {
  const elapsed = elapsedMs(clock, now);
  return {
    clock: clock.name,
    stage: clock.stage,
    basis: clock.basis,
    targetSeconds: clock.targetMs / 1000,
    startedAt: clock.startedAt,
    deadline: clock.since ? new Date(Date.parse(now) + wallMs(clock, now, Math.max(0, clock.targetMs - elapsed))).toISOString() : null,
    elapsedSeconds: Math.round(elapsed / 1000),
    asOf: now,
    paused: clock.since === null,
    breached: clock.breached,
    escalationLevel: level(clock),
    calendar: clock.calendar ? `${clock.calendar.days.join(',')} ${clock.calendar.from}-${clock.calendar.to} ${clock.calendar.timezone}` : null,
    ladder: ladderView(clock, now, elapsed),
  };
}
