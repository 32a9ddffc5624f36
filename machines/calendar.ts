/**
 * Business-hours calendars: time counted only on the calendar's days between `from` and `to`,
 * in its time zone (daylight saving included, through Intl). Pure and deterministic: no clock
 * is read, instants are passed in.
 */
import type { BusinessCalendar } from './playbook.types.js';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's offset from UTC at an instant, in ms. */
function offsetMs(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return local - Math.floor(instant / 1000) * 1000;
}

/** The instant of a local wall time (`minutes` after midnight of the local day `dayUtc`). */
function instantOf(dayUtc: number, minutes: number, timeZone: string): number {
  const guess = dayUtc + minutes * 60_000;
  const first = guess - offsetMs(guess, timeZone);
  return guess - offsetMs(first, timeZone);
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** Business windows [start, end) overlapping [from, to), in order. */
function* windows(calendar: BusinessCalendar, from: number, to: number): Generator<[number, number]> {
  const open = minutesOf(calendar.from);
  const close = minutesOf(calendar.to);
  const local = from + offsetMs(from, calendar.timezone);
  for (let day = Math.floor(local / DAY_MS) * DAY_MS - DAY_MS; ; day += DAY_MS) {
    const start = instantOf(day, open, calendar.timezone);
    if (start >= to) return;
    if (!calendar.days.includes(DAYS[new Date(day).getUTCDay()]!)) continue;
    const end = instantOf(day, close, calendar.timezone);
    if (end > from) yield [Math.max(start, from), Math.min(end, to)];
  }
}

/** Business time between two instants. */
export function businessMsBetween(calendar: BusinessCalendar, from: string, to: string): number {
  let total = 0;
  for (const [start, end] of windows(calendar, Date.parse(from), Date.parse(to))) total += Math.max(0, end - start);
  return total;
}

/** Wall-clock ms from `from` until `businessMs` of business time have passed. */
export function wallMsUntil(calendar: BusinessCalendar, from: string, businessMs: number): number {
  const start = Date.parse(from);
  let left = businessMs;
  if (left <= 0) return 0;
  // A calendar with no open hour at all would never get there; a year is the horizon.
  for (const [windowStart, windowEnd] of windows(calendar, start, start + 366 * DAY_MS)) {
    const length = windowEnd - windowStart;
    if (length >= left) return windowStart + left - start;
    left -= length;
  }
  return 366 * DAY_MS;
}
