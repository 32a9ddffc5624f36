/**
 * Business-hours calendars: time counted only on the calendar's days between `from` and `to`,
 * in its time zone (daylight saving included, through Intl). A window whose `to` is not after its
 * `from` runs overnight: it opens on a listed day and closes the next morning. Pure and
 * deterministic: no clock is read, instants are passed in.
 */
import type { BusinessCalendar } from './playbook.types.js';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * A calendar as an SLA clock keeps it. `overnight` is set on clocks armed since overnight
 * windows were counted; clocks armed before count them as they did then (nothing), so their
 * workflows replay as they ran.
 */
export type ClockCalendar = BusinessCalendar & { overnight?: boolean };

/** Does Intl know this time zone? */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Does the window close the next day (`to` not after `from`)? */
export function isOvernight(calendar: Pick<BusinessCalendar, 'from' | 'to'>): boolean {
  return minutesOf(calendar.to) <= minutesOf(calendar.from);
}

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // A zone Intl does not know (only in playbooks stored before zones were validated) counts as UTC.
    const zone = isKnownTimeZone(timeZone) ? timeZone : 'UTC';
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
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
function* windows(calendar: ClockCalendar, from: number, to: number): Generator<[number, number]> {
  const open = minutesOf(calendar.from);
  const close = minutesOf(calendar.to);
  const closesNextDay = close <= open && calendar.overnight === true;
  const local = from + offsetMs(from, calendar.timezone);
  for (let day = Math.floor(local / DAY_MS) * DAY_MS - DAY_MS; ; day += DAY_MS) {
    const start = instantOf(day, open, calendar.timezone);
    if (start >= to) return;
    if (!calendar.days.includes(DAYS[new Date(day).getUTCDay()]!)) continue;
    const end = closesNextDay ? instantOf(day + DAY_MS, close, calendar.timezone) : instantOf(day, close, calendar.timezone);
    if (end > from) yield [Math.max(start, from), Math.min(end, to)];
  }
}

/** Business time between two instants. */
export function businessMsBetween(calendar: ClockCalendar, from: string, to: string): number {
  let total = 0;
  for (const [start, end] of windows(calendar, Date.parse(from), Date.parse(to))) total += Math.max(0, end - start);
  return total;
}

/** Wall-clock ms from `from` until `businessMs` of business time have passed. */
export function wallMsUntil(calendar: ClockCalendar, from: string, businessMs: number): number {
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
