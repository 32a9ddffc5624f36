/** An SLA clock as the incident view shows it, with its escalation ladder. */
import { isoTime } from './time.schemas.js';

const nullableString = { type: ['string', 'null'] } as const;

const ladderStep = {
  type: 'object',
  properties: {
    level: { type: 'integer' },
    at: { type: 'string', description: 'share of the target, e.g. 50%' },
    notify: { type: 'array', items: { type: 'string' } },
    raisePriority: { type: 'boolean' },
    repeatEvery: nullableString,
    fired: { type: 'integer', description: 'how often the step fired' },
    nextAt: { ...nullableString, description: 'when it fires next if the clock keeps running; null while paused or when it will not fire again' },
  },
} as const;

export const slaClock = {
  type: 'object',
  properties: {
    clock: { type: 'string' },
    stage: nullableString,
    basis: { type: 'string' },
    targetSeconds: { type: 'number' },
    startedAt: isoTime,
    deadline: nullableString,
    elapsedSeconds: { type: 'number' },
    asOf: isoTime,
    paused: { type: 'boolean' },
    breached: { type: 'boolean' },
    escalationLevel: { type: 'integer' },
    calendar: nullableString,
    ladder: { type: 'array', items: ladderStep },
  },
} as const;
