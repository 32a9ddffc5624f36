/** JSON Schemas of the API's inputs and outputs; they validate requests and document /openapi.json. */
import { OBSERVABLE_TYPES } from '../machines/context.types.js';
import { SEVERITIES, PRIORITIES } from '../machines/playbook.types.js';
import { slaClock } from './sla.schemas.js';
import { isoTime } from './time.schemas.js';

export { isoDate, isoTime } from './time.schemas.js';
export const severity = { type: 'string', enum: [...SEVERITIES] } as const;
/** Row ids and versions of Postgres `integer` columns. */
export const MAX_INT4 = 2_147_483_647;
/** Ids of Postgres `bigserial` columns that JSON numbers still hold exactly. */
export const MAX_SAFE_ID = Number.MAX_SAFE_INTEGER;

export const problem = {
  type: 'object',
  description: 'RFC 9457 problem details',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
  },
  additionalProperties: true,
} as const;

/** A 200 answered as JSON, or as CSV with `Accept: text/csv`. */
export function jsonOrCsv(schema: object) {
  return {
    description: 'JSON; CSV (RFC 4180) with Accept: text/csv',
    content: { 'application/json': { schema }, 'text/csv': { schema: { type: 'string' } } },
  } as const;
}

/** Responses every authenticated route may give. */
export const authProblems = { 400: problem, 401: problem, 403: problem } as const;

export const fieldsSchema = {
  type: 'object',
  description: 'procedure fields; once given they are kept on the incident',
  maxProperties: 100,
  propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,63}$' },
  additionalProperties: true,
} as const;

export const incidentView = {
  type: 'object',
  required: ['id', 'title', 'stage', 'severity', 'priority', 'playbook', 'alertCount', 'allowedEvents', 'fields', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    title: { type: 'string' },
    stage: { type: 'string' },
    severity,
    priority: { type: 'string', enum: [...PRIORITIES] },
    playbook: { type: 'object', properties: { id: { type: 'string' }, version: { type: 'integer' } } },
    alertCount: { type: 'integer' },
    allowedEvents: { type: 'array', items: { type: 'string' } },
    fields: { type: 'object', additionalProperties: true },
    pendingApprovals: { type: 'array', items: { $ref: 'pendingApproval#' } },
    priorityReason: {
      type: 'object',
      description: 'the ITIL matrix cell and the inputs that produced the priority',
      additionalProperties: true,
    },
    context: {
      type: 'object',
      description: 'findings by kind, each {kind, key, record, provenance: {source, fetchedAt, ttl}}',
      properties: Object.fromEntries(
        ['assets', 'businessUnits', 'changes', 'riskExceptions', 'intel'].map((k) => [k, { type: 'array', items: { type: 'object', additionalProperties: true } }]),
      ),
    },
    flags: { type: 'object', properties: { possibleChangeRelated: { type: 'boolean' }, riskExceptionActive: { type: 'boolean' } } },
    sla: { type: 'array', items: slaClock },
    assignee: { type: ['string', 'null'] },
    effortMinutes: { type: 'integer' },
    tasks: { type: 'array', items: { $ref: 'caseTask#' } },
    links: {
      type: 'array',
      items: { type: 'object', properties: { incidentId: { type: 'string' }, relation: { type: 'string' }, by: { type: 'string' }, at: isoTime } },
    },
    observables: {
      type: 'array',
      description: 'GET /v1/incidents/:id only: what the incident saw, each with how many other incidents saw it (follow link)',
      items: { $ref: 'incidentObservable#' },
    },
    createdAt: isoTime,
    updatedAt: isoTime,
  },
} as const;

export const pendingApproval = {
  $id: 'pendingApproval',
  type: 'object',
  description: 'a transition waiting for approvals; distinct approvers, never the requester',
  properties: {
    event: { type: 'string' },
    stage: { type: 'string' },
    requestedBy: { type: 'string' },
    requestedAt: isoTime,
    required: { type: 'integer' },
    roles: { type: 'array', items: { type: 'string' } },
    granted: {
      type: 'array',
      items: { type: 'object', properties: { by: { type: 'string' }, at: isoTime, comment: { type: 'string' } } },
    },
    fields: { type: 'object', additionalProperties: true },
    checklist: { type: 'array', items: { type: 'string' } },
    comment: { type: 'string' },
  },
} as const;

/** A 202: the transition waits for approvals. */
export const pendingOutcome = {
  type: 'object',
  properties: { pendingApproval: { $ref: 'pendingApproval#' }, incident: incidentView },
} as const;

export const approvalRequest = {
  type: 'object',
  additionalProperties: false,
  required: ['event', 'decision'],
  properties: {
    event: { type: 'string', minLength: 1, maxLength: 64 },
    decision: { type: 'string', enum: ['approve', 'reject'] },
    comment: { type: 'string', maxLength: 20000 },
  },
} as const;

const asset = {
  type: 'object',
  additionalProperties: false,
  properties: { hostname: { type: 'string', minLength: 1, maxLength: 255 }, ip: { type: 'string', minLength: 2, maxLength: 64 } },
} as const;

export const genericAlert = {
  type: 'object',
  additionalProperties: false,
  required: ['sourceId', 'title', 'severity'],
  properties: {
    sourceId: { type: 'string', minLength: 1, maxLength: 200 },
    title: { type: 'string', minLength: 1, maxLength: 500 },
    severity,
    detectedAt: isoTime,
    firstEventAt: { ...isoTime, description: 'when the detected activity began, if the source knows' },
    techniques: { type: 'array', maxItems: 50, uniqueItems: true, items: { type: 'string', pattern: '^T[0-9]{4}(\\.[0-9]{3})?$' } },
    rule: {
      type: 'object',
      additionalProperties: false,
      required: ['id'],
      properties: { id: { type: 'string', minLength: 1, maxLength: 200 }, name: { type: 'string', maxLength: 500 } },
    },
    assets: { type: 'array', maxItems: 100, items: asset },
    category: { type: 'string', minLength: 1, maxLength: 100 },
    observables: { type: 'array', maxItems: 200, items: { $ref: 'observable#' } },
    raw: { description: 'the source payload, kept as given' },
  },
} as const;

export const observable = {
  $id: 'observable',
  type: 'object',
  additionalProperties: false,
  required: ['type', 'value'],
  properties: { type: { type: 'string', enum: [...OBSERVABLE_TYPES] }, value: { type: 'string', minLength: 1, maxLength: 2048 } },
} as const;

export const MAX_ALERTS_PER_REQUEST = 500;

export const alertAccepted = {
  type: 'object',
  required: ['alertId', 'incidentId', 'deduplicated'],
  properties: {
    alertId: { type: 'string' },
    incidentId: { type: 'string' },
    deduplicated: { type: 'boolean', description: 'false for the one request that stored the alert; true for every repeat' },
    queued: { type: 'boolean', enum: [true], description: 'stored and routed, not yet held by the incident: it will be within moments' },
  },
} as const;

export const reportIncident = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'severity'],
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 500 },
    severity,
    description: { type: 'string', maxLength: 20000 },
    category: { type: 'string', minLength: 1, maxLength: 100 },
    playbook: { type: 'string', pattern: '^[a-z0-9-]+$', description: 'playbook id; its latest version is pinned' },
    detectedAt: isoTime,
    assets: { type: 'array', maxItems: 100, items: asset },
    observables: { type: 'array', maxItems: 200, items: { $ref: 'observable#' } },
  },
} as const;

export const transitionRequest = {
  type: 'object',
  additionalProperties: false,
  required: ['event'],
  properties: {
    event: { type: 'string', minLength: 1, maxLength: 64 },
    comment: { type: 'string', maxLength: 20000 },
    fields: fieldsSchema,
    checklist: { type: 'array', maxItems: 100, uniqueItems: true, items: { type: 'string', minLength: 1, maxLength: 200 } },
  },
} as const;

export const auditEvent = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    at: isoTime,
    type: { type: 'string' },
    actor: { type: 'string' },
    from: { type: ['string', 'null'] },
    to: { type: ['string', 'null'] },
    data: { type: 'object', additionalProperties: true },
    prevHash: { type: 'string' },
    hash: { type: 'string' },
  },
} as const;

/** `Idempotency-Key`: a retry with the same key answers the first answer. */
export const idempotencyHeader = {
  type: 'object',
  properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export const incidentIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

/** `GET /v1/incidents/:id?asOf=…`: the incident rebuilt from its audit log at an instant. */
export const incidentAsOfSchema = {
  type: 'object',
  required: ['id', 'asOf', 'seq', 'stage'],
  properties: {
    id: { type: 'string' },
    asOf: isoTime,
    seq: { type: 'integer' },
    stage: { type: 'string' },
    severity: { type: 'string' },
    priority: { type: 'string' },
    alertCount: { type: 'integer' },
    fields: { type: 'object', additionalProperties: true },
    context: { type: 'object', additionalProperties: true },
    pendingApprovals: { type: 'array', items: { type: 'string' } },
    sla: { type: 'array', items: { type: 'object', additionalProperties: true } },
    assignee: { type: ['string', 'null'] },
  },
} as const;

/** A chain's check: its hashes recomputed and its head's signature (db/chain-verify.ts, db/audit-chains.repo.ts). */
export const chainVerdictProperties = {
  valid: { type: 'boolean' },
  events: { type: 'integer' },
  brokenAt: { type: 'integer' },
  reason: { type: 'string' },
  signature: {
    type: 'object',
    description: "the chain head's Ed25519 signature against irflow's public keys (GET /v1/audit/keys)",
    properties: { valid: { type: 'boolean' }, keyId: { type: 'string' }, reason: { type: 'string' } },
  },
} as const;
