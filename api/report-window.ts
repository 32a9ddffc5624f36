/** The time window of the KPI and report routes: incidents created in [from, to). */
import { problems } from './problem.js';
import { isoDate, isoTime } from './schemas.js';

export const DEFAULT_WINDOW_DAYS = 30;
/** The longest window: reports compare it with the window before, which must stay in the calendar Postgres knows. */
export const MAX_WINDOW_DAYS = 3_660;
const DAY_MS = 86_400_000;

/** An instant, or a date meaning its midnight UTC. */
const instant = { type: 'string', anyOf: [isoTime, isoDate] } as const;

export const windowQuery = {
  from: { ...instant, description: `start (inclusive), e.g. 2026-03-01 or 2026-03-01T00:00:00Z; default ${DEFAULT_WINDOW_DAYS} days before \`to\`` },
  to: { ...instant, description: 'end (exclusive); default now' },
} as const;

export function parseWindow(query: { from?: string; to?: string }, now = new Date()): { from: Date; to: Date } {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_WINDOW_DAYS * DAY_MS);
  if (from.getTime() >= to.getTime()) throw problems.badRequest(`from (${from.toISOString()}) must be before to (${to.toISOString()})`);
  if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * DAY_MS) throw problems.badRequest(`a window spans at most ${MAX_WINDOW_DAYS} days (about ten years)`);
  return { from, to };
}
