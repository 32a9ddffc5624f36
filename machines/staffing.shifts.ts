/**
 * Shift calendars for staffing forecasts: each shift is a business-hours calendar (time zone,
 * days, from, to; an overnight shift's `to` is not after its `from`) with the share of a staffing
 * level on duty in it (default all of it). Resolved to a share per hour of the week (0 = Monday
 * 00:00 UTC) over one reference week, so daylight saving is as it stands that week; an hour no
 * shift covers has nobody on duty, and an hour a shift covers in part counts that part. Where
 * shifts overlap, the largest share holds. Pure: the reference week is passed in.
 */
import { businessMsBetween, isKnownTimeZone } from './calendar.js';
import type { BusinessCalendar } from './playbook.types.js';
import { HOURS_OF_WEEK } from './staffing.model.js';

export interface Shift extends BusinessCalendar {
  /** The share of the level on duty in this shift, 0-1 (default 1). */
  share?: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Monday 00:00 UTC of the week after `instant`: the week a forecast starts. */
export function nextWeekStart(instant: Date): Date {
  const day = Math.floor(instant.getTime() / DAY_MS) * DAY_MS;
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0
  return new Date(day + (7 - weekday) * DAY_MS);
}

/** Why these shifts cannot be simulated, each with its place; empty when they can. */
export function shiftProblems(shifts: Shift[]): string[] {
  return shifts.flatMap((shift, i) => (isKnownTimeZone(shift.timezone) ? [] : [`shifts/${i}/timezone: unknown time zone ${JSON.stringify(shift.timezone)}`]));
}

/** The share on duty in each hour of the week starting `weekStart` (a Monday 00:00 UTC). */
export function dutySharesOf(shifts: Shift[], weekStart: Date): number[] {
  const start = weekStart.getTime();
  return Array.from({ length: HOURS_OF_WEEK }, (_, hour) => {
    const from = new Date(start + hour * HOUR_MS).toISOString();
    const to = new Date(start + (hour + 1) * HOUR_MS).toISOString();
    let share = 0;
    for (const shift of shifts) {
      const covered = businessMsBetween({ ...shift, overnight: true }, from, to) / HOUR_MS;
      share = Math.max(share, covered * (shift.share ?? 1));
    }
    return Math.round(share * 1e4) / 1e4;
  });
}
