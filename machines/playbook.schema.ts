/**
 * JSON Schema (draft 2020-12 subset understood by Ajv) of the playbook document. Published at
 * `GET /v1/playbooks/schema` and as `playbooks/playbook.schema.json`, so editors validate YAML
 * as it is typed. Structural rules only; cross-references are checked in playbook.validate.ts.
 */
import { CORRELATION_PART_PATTERN } from './correlation.js';
import { CONTEXT_KINDS, MILESTONES, PRIORITIES, SEVERITIES } from './playbook.types.js';

const name = { type: 'string', pattern: '^[a-z][a-z0-9_-]*$', maxLength: 64 } as const;
/** A business-hours calendar's properties (playbook calendars, staffing forecasts' shifts). */
export const CALENDAR_PROPERTIES = {
  timezone: { type: 'string', minLength: 1 },
  days: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] } },
  from: { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' },
  to: { type: 'string', pattern: '^([01][0-9]|2[0-4]):[0-5][0-9]$' },
} as const;
const duration = { type: 'string', pattern: '^[1-9][0-9]*(s|m|h|d|w)$', description: 'e.g. 30s, 15m, 4h, 1d, 2w' } as const;
const stringList = { type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 }, uniqueItems: true } as const;

const slaTargets = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...Object.fromEntries([...SEVERITIES, ...PRIORITIES].map((key) => [key, duration])),
    calendar: name,
  },
} as const;

const transition = {
  type: 'object',
  additionalProperties: false,
  required: ['to'],
  properties: {
    to: name,
    description: { type: 'string', maxLength: 2000 },
    requires: {
      type: 'object',
      additionalProperties: false,
      properties: {
        fields: stringList,
        checklist: stringList,
        tasks: { ...stringList, items: name },
        approvals: {
          type: 'object',
          additionalProperties: false,
          required: ['count', 'roles'],
          properties: {
            count: { type: 'integer', minimum: 1, maximum: 10 },
            roles: { ...stringList, minItems: 1 },
          },
        },
      },
    },
  },
} as const;

const transitions = { type: 'object', propertyNames: name, additionalProperties: transition } as const;

const stage = {
  type: 'object',
  additionalProperties: false,
  properties: {
    description: { type: 'string', maxLength: 2000 },
    marks: { type: 'array', items: { enum: [...MILESTONES] }, uniqueItems: true },
    closed: { type: 'boolean' },
    returnOn: name,
    pausesSla: { type: 'boolean' },
    on: transitions,
    enrich: { type: 'array', items: { enum: [...CONTEXT_KINDS] }, uniqueItems: true },
    sla: slaTargets,
    escalation: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['at', 'notify'],
        properties: {
          at: { type: 'string', pattern: '^[1-9][0-9]*%$', description: 'share of the SLA target, e.g. 50%' },
          notify: { ...stringList, minItems: 1 },
          raisePriority: { type: 'boolean' },
          repeatEvery: duration,
        },
      },
    },
    tasks: {
      type: 'array',
      maxItems: 50,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title'],
        properties: { id: name, title: { type: 'string', minLength: 1, maxLength: 200 }, role: name },
      },
    },
  },
} as const;

export const playbookJsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://irflow.dev/schemas/playbook.json',
  title: 'irflow playbook',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'initial', 'stages'],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9-]+$', maxLength: 64, not: { enum: ['schema', 'validate'] }, description: 'schema and validate are reserved (API paths)' },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 4000 },
    match: {
      type: 'object',
      additionalProperties: false,
      properties: {
        order: { type: 'integer', minimum: 0 },
        sources: stringList,
        ruleIds: stringList,
        categories: stringList,
        minSeverity: { enum: [...SEVERITIES] },
        correlation: {
          type: 'object',
          additionalProperties: false,
          required: ['key'],
          description: 'which alerts join one incident; default key [source, ruleId, asset], held until the incident closes',
          properties: {
            key: { type: 'array', minItems: 1, maxItems: 8, uniqueItems: true, items: { type: 'string', pattern: CORRELATION_PART_PATTERN } },
            window: { ...duration, description: 'how long an incident holds its key after claiming it, e.g. 24h' },
          },
        },
      },
    },
    initial: name,
    on: transitions,
    stages: { type: 'object', minProperties: 1, propertyNames: name, additionalProperties: stage },
    slas: { type: 'object', propertyNames: name, additionalProperties: slaTargets },
    calendars: {
      type: 'object',
      propertyNames: name,
      additionalProperties: { type: 'object', additionalProperties: false, required: ['timezone', 'days', 'from', 'to'], properties: CALENDAR_PROPERTIES },
    },
    fields: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: { description: { type: 'string' }, values: stringList },
      },
    },
    priority: {
      type: 'object',
      additionalProperties: false,
      properties: { fixed: { enum: [...PRIORITIES] } },
    },
  },
} as const;
