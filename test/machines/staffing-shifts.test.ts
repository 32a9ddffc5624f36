/**
 * Shift calendars in staffing forecasts: calendars resolved to the share on duty per hour of the
 * week (time zones, overnight and partial hours, shares), and the simulation with analysts on
 * duty by the hour: a constant calendar is the constant level, work arriving while nobody is on
 * duty waits for the next shift and is never lost, and utilisation counts the hours on duty only.
 */
import { describe, expect, it } from 'vitest';
import { forecastStaffing } from '../../machines/staffing.forecast.js';
import { HOURS_OF_WEEK, type StaffingModel } from '../../machines/staffing.model.js';
import { dutySharesOf, nextWeekStart, shiftProblems } from '../../machines/staffing.shifts.js';
import { simulateRun } from '../../machines/staffing.sim.js';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'];
/** Monday 2027-01-11 00:00 UTC: winter, Berlin is UTC+1. */
const WINTER = new Date('2027-01-11T00:00:00Z');

function steady(perHour: number, meanMinutes: number, slaSeconds: number): StaffingModel {
  return {
    priorities: {
      P2: { arrivalsPerHour: Array.from({ length: HOURS_OF_WEEK }, () => perHour), initial: 'triage', stages: [{ stage: 'triage', effort: { kind: 'exponential', meanMinutes }, slaSeconds }] },
    },
  };
}

describe('shift calendars', () => {
  it('starts a forecast on the Monday after now', () => {
    expect(nextWeekStart(new Date('2026-12-04T13:00:00Z')).toISOString()).toBe('2026-12-07T00:00:00.000Z');
    expect(nextWeekStart(new Date('2026-12-07T00:00:00Z')).toISOString()).toBe('2026-12-14T00:00:00.000Z');
  });

  it('resolves a day shift in its time zone, an overnight one at a share, and a shift that starts on the half hour', () => {
    const shares = dutySharesOf(
      [
        { timezone: 'Europe/Berlin', days: WEEKDAYS, from: '08:30', to: '17:00' },
        { timezone: 'Europe/Berlin', days: WEEKDAYS, from: '22:00', to: '06:00', share: 0.5 },
      ],
      WINTER,
    );
    expect(shares).toHaveLength(HOURS_OF_WEEK);
    // Monday: 08:30-17:00 Berlin is 07:30-16:00 UTC; 22:00-06:00 Berlin is 21:00-05:00 UTC.
    expect(shares.slice(0, 24)).toEqual([0, 0, 0, 0, 0, 0, 0, 0.5, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0.5, 0.5, 0.5]);
    // Friday night runs on into Saturday morning (UTC 00:00-05:00); Sunday is off.
    expect(shares.slice(5 * 24, 5 * 24 + 6)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0]);
    expect(shares.slice(6 * 24).every((share) => share === 0)).toBe(true);
  });

  it('names a time zone Intl does not know', () => {
    expect(shiftProblems([{ timezone: 'Mars/Olympus', days: ['mon'], from: '08:00', to: '16:00' }])).toEqual(['shifts/0/timezone: unknown time zone "Mars/Olympus"']);
    expect(shiftProblems([{ timezone: 'UTC', days: ['mon'], from: '08:00', to: '16:00' }])).toEqual([]);
  });
});

describe('the simulation with analysts on duty by the hour', () => {
  it('gives the same answer for a calendar that is the level all week as for the level', () => {
    const model = steady(6, 20, 1800);
    expect(JSON.stringify(simulateRun(model, Array.from({ length: HOURS_OF_WEEK }, () => 3), 14, 5))).toBe(JSON.stringify(simulateRun(model, 3, 14, 5)));
  });

  it('keeps work that arrives off shift for the next shift: nothing lost, later, and utilisation of the hours on duty', () => {
    const model = steady(2, 15, 4 * 3600);
    const dayShift = dutySharesOf([{ timezone: 'UTC', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '08:00', to: '16:00' }], WINTER);
    const allDay = forecastStaffing(model, { analysts: [2], horizonDays: 14, runs: 6, seed: 3 }).levels[0]!;
    const shifts = forecastStaffing(model, { analysts: [2], horizonDays: 14, runs: 6, seed: 3, dutyShares: dayShift }).levels[0]!;
    expect(shifts.compliance.overall!).toBeLessThan(allDay.compliance.overall!);
    expect(shifts.wait.mean).toBeGreaterThan(allDay.wait.mean);
    // 2 an hour of 15 minutes each is 1 analyst-hour an hour: a quarter of 2 × 24 h, three quarters of 2 × 8 h.
    expect(allDay.utilisation).toBeGreaterThan(0.2);
    expect(allDay.utilisation).toBeLessThan(0.3);
    expect(shifts.utilisation).toBeGreaterThan(0.6);
    expect(shifts.utilisation).toBeLessThanOrEqual(1);
    // Every arrival is worked: stage passes counted alike with and without shifts, over the same seeds.
    const passes = (dutyShares?: number[]) =>
      [1, 2, 3].reduce((n, seed) => n + (simulateRun(model, dutyShares ? dutyShares.map((s) => Math.round(2 * s)) : 2, 14, seed).met['P2|triage']?.measured ?? 0), 0);
    expect(passes(dayShift)).toBe(passes());
  });
});
