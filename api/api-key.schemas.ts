/** JSON Schemas of API keys: what an admin sends to make one, and what the API answers. */
import { ROLES } from '../db/api-keys.repo.js';
import { ALERT_SOURCES } from '../machines/alert.js';
import { isoTime } from './schemas.js';

const name = { type: 'string', minLength: 1, maxLength: 200 } as const;

export const apiKeyRequest = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'roles'],
  properties: {
    name,
    roles: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...ROLES] } },
    sources: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { type: 'string', enum: [...ALERT_SOURCES] },
      description: 'the alert sources this key may post to (default: any); posting to another is 403',
    },
    expiresInDays: { type: 'integer', minimum: 1, maximum: 3650, description: 'the token is refused after this many days (default: until revoked)' },
    signatureSecretEnv: {
      type: 'string',
      pattern: '^IRFLOW_SECRET_[A-Z0-9_]+$',
      maxLength: 128,
      description: 'an ingest key only: the IRFLOW_SECRET_* variable holding an HMAC secret; every alert request with this key must then carry X-Irflow-Signature',
    },
  },
} as const;

export const apiKey = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
    sources: { type: 'array', items: { type: 'string' } },
    token: { type: 'string', description: 'shown once, at creation' },
    createdAt: isoTime,
    revokedAt: { type: ['string', 'null'] },
    expiresAt: { type: ['string', 'null'] },
    signatureSecretEnv: { type: 'string' },
  },
} as const;

