import { describe, expect, it } from 'vitest';
import { armClock, clockView, dueEvents, durationMs, elapsedMs, msUntilDue, pauseClock, resumeClock, retarget, targetFor } from '../../machines/sla.js';

const T0 = '2026-01-05T10:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();
const ladder = [
  { at: '50%', notify: ['assignee'] },
  { at: '100%', notify: ['soc-lead'], raisePriority: true },
  { at: '200%', notify: ['ciso'], repeatEvery: '10s' },
];

describe('SLA clock arithmetic', () => {
  it('reads durations and chooses the target by priority, else severity', () => {
    expect(['30s', '15m', '4h', '1d', '2w'].map(durationMs)).toEqual([30e3, 900e3, 14_400e3, 86_400e3, 1_209_600e3]);
    expect(targetFor({ P1: '5m', high: '1h' }, 'P1', 'high')).toEqual({ ms: 300e3, basis: 'P1' });
    expect(targetFor({ P1: '5m', high: '1h' }, 'P2', 'high')).toEqual({ ms: 3_600e3, basis: 'high' });
    expect(targetFor({ high: '1h' }, 'P4', 'low')).toBeNull();
  });

  it('fires each step once in ladder order, breach at 100%, repeats after the first firing', () => {
    let clock = armClock('stage', 'triage', { ms: 100_000, basis: 'high' }, ladder, T0);
    expect(msUntilDue(clock, T0)).toBe(50_000);
    let fired = dueEvents(clock, at(100));
    expect(fired.events.map((e) => (e.kind === 'breached' ? 'breach' : `L${e.level}`))).toEqual(['L1', 'L2', 'breach']);
    clock = fired.clock;
    expect(dueEvents(clock, at(150)).events, 'nothing fires twice').toEqual([]);
    fired = dueEvents(clock, at(205));
    expect(fired.events.map((e) => (e.kind === 'escalated' ? `L${e.level}#${e.repeat}` : 'breach'))).toEqual(['L3#0']);
    fired = dueEvents(fired.clock, at(215));
    expect(fired.events.map((e) => (e.kind === 'escalated' ? `L${e.level}#${e.repeat}` : 'breach'))).toEqual(['L3#1']);
    expect(msUntilDue(fired.clock, at(215))).toBe(5_000);
  });

  it('collapses repeats that fell due together (a worker down for a while) into one firing that counts the missed', () => {
    const clock = dueEvents(armClock('stage', 'triage', { ms: 100_000, basis: 'high' }, ladder, T0), at(100)).clock;
    // Down from 100 s to 24 h later: 200% and 8,630 repeats every 10 s fell due meanwhile.
    const day = dueEvents(clock, at(86_500));
    expect(day.events).toHaveLength(1);
    expect(day.events[0]).toMatchObject({ kind: 'escalated', level: 3, repeat: 8_630, missed: 8_630 });
    expect(msUntilDue(day.clock, at(86_500)), 'the next repeat is the one after now').toBe(10_000);
    // Distinct ladder steps that fall due together still fire one each.
    const late = dueEvents(armClock('stage', 'triage', { ms: 100_000, basis: 'high' }, ladder, T0), at(215));
    expect(late.events.map((e) => (e.kind === 'escalated' ? `L${e.level}+${e.missed}` : 'breach'))).toEqual(['L1+0', 'L2+0', 'breach', 'L3+1']);
  });

  it('fires every missed repeat for runs recorded before repeats collapsed', () => {
    const clock = dueEvents(armClock('stage', 'triage', { ms: 100_000, basis: 'high' }, ladder, T0), at(100)).clock;
    const asked: string[] = [];
    const before = dueEvents(clock, at(235), () => (asked.push('collapse?'), false));
    expect(before.events.map((e) => (e.kind === 'escalated' ? e.repeat : -1))).toEqual([0, 1, 2, 3]);
    expect(asked, 'the patch is asked only where behaviour differs').toEqual(['collapse?']);
    dueEvents(clock, at(205), () => (asked.push('again?'), false));
    expect(asked).toEqual(['collapse?']);
  });

  it('counts only running time across pauses', () => {
    let clock = armClock('stage', 'triage', { ms: 60_000, basis: 'low' }, [], T0);
    clock = pauseClock(clock, at(20));
    expect(elapsedMs(clock, at(500))).toBe(20_000);
    expect(msUntilDue(clock, at(500)), 'a paused clock has nothing due').toBeNull();
    expect(clockView(clock, at(500))).toMatchObject({ paused: true, deadline: null, elapsedSeconds: 20 });
    clock = resumeClock(clock, at(500));
    expect(elapsedMs(clock, at(510))).toBe(30_000);
    expect(clockView(clock, at(510)).deadline).toBe(at(540));
  });

  it('shows the ladder: each step, how often it fired, when it fires next; nothing next while paused', () => {
    let clock = dueEvents(armClock('stage', 'triage', { ms: 100_000, basis: 'high' }, ladder, T0), at(60)).clock;
    expect(clockView(clock, at(60)).ladder).toEqual([
      { level: 1, at: '50%', notify: ['assignee'], raisePriority: false, repeatEvery: null, fired: 1, nextAt: null },
      { level: 2, at: '100%', notify: ['soc-lead'], raisePriority: true, repeatEvery: null, fired: 0, nextAt: at(100) },
      { level: 3, at: '200%', notify: ['ciso'], raisePriority: false, repeatEvery: '10s', fired: 0, nextAt: at(200) },
    ]);
    clock = dueEvents(clock, at(205)).clock;
    expect(clockView(clock, at(205)).ladder.map((s) => [s.fired, s.nextAt])).toEqual([[1, null], [1, null], [1, at(210)]]);
    clock = pauseClock(clock, at(205));
    expect(clockView(clock, at(300)).ladder.map((s) => s.nextAt)).toEqual([null, null, null]);
    expect(clockView(resumeClock(clock, at(300)), at(300)).ladder[2]!.nextAt, 'five running seconds left').toBe(at(305));
  });

  it('clears a breach when re-targeted to a target not yet reached, and keeps it otherwise', () => {
    const breached = dueEvents(armClock('stage', 'triage', { ms: 60_000, basis: 'high' }, [], T0), at(90)).clock;
    expect(breached.breached).toBe(true);
    expect(retarget(breached, { ms: 300_000, basis: 'low' }, at(90)).breached, 'elapsed 90 s < 300 s').toBe(false);
    expect(retarget(breached, { ms: 80_000, basis: 'medium' }, at(90)).breached, 'elapsed 90 s ≥ 80 s').toBe(true);
    expect(retarget(breached, { ms: 300_000, basis: 'low' }, at(90), () => false).breached, 'clocks re-targeted before the change keep it').toBe(true);
    const again = retarget(breached, { ms: 300_000, basis: 'low' }, at(90));
    expect(dueEvents(again, at(300)).events.map((e) => e.kind), 'the new target can be breached in its turn').toEqual(['breached']);
  });

  it('keeps the time spent when re-targeted', () => {
    const clock = retarget(armClock('stage', 'triage', { ms: 600_000, basis: 'low' }, ladder, T0), { ms: 100_000, basis: 'high' }, at(60));
    expect(dueEvents(clock, at(120)).events.map((e) => e.kind)).toEqual(['escalated', 'escalated', 'breached']);
  });

  it('counts business time in a calendar', () => {
    const office = { timezone: 'UTC', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' };
    // Friday 16:00Z with a 2 h target: 1 h on Friday, the rest on Monday from 09:00.
    const clock = armClock('stage', 'triage', { ms: 7_200_000, basis: 'high' }, [], '2026-01-09T16:00:00.000Z', office);
    expect(elapsedMs(clock, '2026-01-10T12:00:00.000Z')).toBe(3_600_000);
    expect(clockView(clock, '2026-01-10T12:00:00.000Z').deadline).toBe('2026-01-12T10:00:00.000Z');
  });
});
