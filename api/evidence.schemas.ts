/** JSON Schemas of the evidence routes. */
import { isoTime } from './schemas.js';

export const evidenceIdParams = {
  type: 'object',
  required: ['id', 'evidenceId'],
  properties: { id: { type: 'string', maxLength: 100 }, evidenceId: { type: 'string', pattern: '^E-[0-9a-f-]{36}$' } },
} as const;

const sha256 = { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'hex SHA-256 of the bytes' } as const;

/** Evidence held elsewhere: where, and the hash and size of what is there. */
export const evidenceReference = {
  type: 'object',
  additionalProperties: false,
  required: ['uri', 'sha256', 'size'],
  properties: {
    uri: { type: 'string', minLength: 1, maxLength: 2000, pattern: '^[A-Za-z][A-Za-z0-9+.-]*:' },
    sha256,
    size: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    name: { type: 'string', minLength: 1, maxLength: 255 },
    mediaType: { type: 'string', minLength: 1, maxLength: 255 },
    description: { type: 'string', maxLength: 4000 },
  },
} as const;

export const custodyTransfer = {
  type: 'object',
  additionalProperties: false,
  required: ['to', 'reason'],
  properties: { to: { type: 'string', minLength: 1, maxLength: 100 }, reason: { type: 'string', minLength: 1, maxLength: 2000 } },
} as const;

export const disposal = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: { type: 'string', minLength: 1, maxLength: 2000 } },
} as const;

export const downloadQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } },
} as const;

const custodyEvent = {
  type: 'object',
  properties: { seq: { type: 'integer' }, at: isoTime, type: { type: 'string' }, actor: { type: 'string' }, data: { type: 'object', additionalProperties: true } },
} as const;

const evidenceProperties = {
  id: { type: 'string' },
  incidentId: { type: 'string' },
  name: { type: 'string' },
  mediaType: { type: 'string' },
  sha256: { type: 'string' },
  size: { type: 'integer' },
  description: { type: 'string' },
  storage: { type: 'string', enum: ['irflow', 'reference'] },
  uri: { type: 'string' },
  custodian: { type: 'string' },
  addedBy: { type: 'string' },
  addedAt: isoTime,
  disposed: { type: 'boolean' },
  integrityFailures: { type: 'integer' },
} as const;

export const evidenceItem = { type: 'object', required: ['id', 'sha256', 'size', 'custodian'], properties: evidenceProperties } as const;
export const evidenceWithCustody = { type: 'object', properties: { ...evidenceProperties, custody: { type: 'array', items: custodyEvent } } } as const;
