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
    fired = dueEvents(clock, at(215));
    expect(fired.events.map((e) => (e.kind === 'escalated' ? `L${e.level}#${e.repeat}` : 'breach'))).toEqual(['L3#0', 'L3#1']);
    expect(msUntilDue(fired.clock, at(215))).toBe(5_000);
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

  it('keeps the time spent when re-targeted', () => {
    const clock = retarget(armClock('stage', 'triage', { ms: 600_000, basis: 'low' }, ladder, T0), { ms: 100_000, basis: 'high' });
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
