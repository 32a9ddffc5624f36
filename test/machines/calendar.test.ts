import { describe, expect, it } from 'vitest';
import { businessMsBetween, isKnownTimeZone, isOvernight, wallMsUntil } from '../../machines/calendar.js';

const office = { timezone: 'Europe/Berlin', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' };
const H = 3_600_000;

describe('business-hours calendar', () => {
  it('counts only open hours on open days, in the calendar zone', () => {
    // Friday 2026-11-27 15:00 Berlin (14:00Z) to Monday 2026-11-30 10:00 Berlin (09:00Z): 2 h Friday + 1 h Monday.
    expect(businessMsBetween(office, '2026-11-27T14:00:00.000Z', '2026-11-30T09:00:00.000Z')).toBe(3 * H);
    expect(businessMsBetween(office, '2026-11-28T10:00:00.000Z', '2026-11-29T20:00:00.000Z'), 'a weekend counts nothing').toBe(0);
  });

  it('finds the wall time a business target takes', () => {
    // 2 business hours from Friday 16:00 Berlin end Monday 10:00 Berlin.
    const from = '2026-11-27T15:00:00.000Z';
    expect(new Date(Date.parse(from) + wallMsUntil(office, from, 2 * H)).toISOString()).toBe('2026-11-30T09:00:00.000Z');
    // Before opening: the clock starts at 09:00.
    expect(wallMsUntil(office, '2026-11-30T06:00:00.000Z', H)).toBe(3 * H);
  });

  it('follows daylight saving time', () => {
    // Berlin moves from UTC+1 to UTC+2 on Sunday 2026-03-29: Monday 09:00 local is 07:00Z.
    expect(businessMsBetween(office, '2026-03-30T06:00:00.000Z', '2026-03-30T08:00:00.000Z')).toBe(H);
    expect(businessMsBetween(office, '2026-03-27T07:00:00.000Z', '2026-03-27T09:00:00.000Z'), 'Friday before: 09:00 local is 08:00Z').toBe(H);
  });

  it('counts overnight windows from the evening of a listed day to the next morning', () => {
    const nights = { timezone: 'UTC', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '22:00', to: '06:00', overnight: true };
    expect(isOvernight(nights)).toBe(true);
    // Monday 2026-11-30 20:00Z to Tuesday 08:00Z: Monday's night, 22:00–06:00.
    expect(businessMsBetween(nights, '2026-11-30T20:00:00.000Z', '2026-12-01T08:00:00.000Z')).toBe(8 * H);
    // Saturday night is not a listed night; Friday's night runs into Saturday morning.
    expect(businessMsBetween(nights, '2026-12-05T00:00:00.000Z', '2026-12-06T23:00:00.000Z')).toBe(6 * H);
    // 3 counted hours from Monday 23:00 end Tuesday 02:00; from Tuesday 05:00, 1 h that night then 2 h from 22:00.
    expect(wallMsUntil(nights, '2026-11-30T23:00:00.000Z', 3 * H)).toBe(3 * H);
    expect(wallMsUntil(nights, '2026-12-01T05:00:00.000Z', 3 * H)).toBe(19 * H);
  });

  it('counts overnight windows as nothing on clocks armed before they were counted', () => {
    const nights = { timezone: 'UTC', days: ['mon'], from: '22:00', to: '06:00' };
    expect(businessMsBetween(nights, '2026-11-30T20:00:00.000Z', '2026-12-01T08:00:00.000Z')).toBe(0);
  });

  it('knows IANA zones, and counts a zone Intl does not know as UTC instead of failing', () => {
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
    const mars = { timezone: 'Mars/Olympus', days: ['mon'], from: '09:00', to: '17:00' };
    expect(businessMsBetween(mars, '2026-11-30T08:00:00.000Z', '2026-11-30T10:00:00.000Z')).toBe(H);
  });
});
