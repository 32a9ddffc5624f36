/** A configuration change as a CMDB or cloud-config webhook posts it (`POST /v1/changes`). */
import type { ChangeRecord } from '../../machines/context.types.js';
import { isoTime } from '../schemas.js';

/** Serialised bytes each of before, after and attributes may hold: they travel with the incident's context. */
export const MAX_CHANGE_DOCUMENT_BYTES = 64 * 1024;

const text = { type: 'string', minLength: 1, maxLength: 500 } as const;

export const changeBody = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'kind', 'title', 'assetIds'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 200 },
    kind: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]*$', maxLength: 64, description: 'what was changed: firewall, iam, storage, …' },
    title: text,
    assetIds: { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 200 } },
    status: { ...text, description: 'default implemented' },
    type: { ...text, description: 'default configuration' },
    changedAt: { ...isoTime, description: 'when it took effect (default: now); the planned window when neither plannedStart nor plannedEnd is given' },
    plannedStart: isoTime,
    plannedEnd: isoTime,
    before: { type: 'object', description: 'the configuration before' },
    after: { type: 'object', description: 'the configuration after' },
    attributes: { type: 'object', description: 'other facts: environment, ticket, approved, source, …' },
  },
} as const;

export interface PostedChange {
  id: string;
  kind: string;
  title: string;
  assetIds: string[];
  status?: string;
  type?: string;
  changedAt?: string;
  plannedStart?: string;
  plannedEnd?: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  attributes?: Record<string, unknown>;
}

/** The document fields that are larger than the limit, by name. */
export function oversizedDocuments(change: Pick<ChangeRecord, 'before' | 'after' | 'attributes'>): string[] {
  return (['before', 'after', 'attributes'] as const).filter((name) => change[name] !== undefined && Buffer.byteLength(JSON.stringify(change[name])) > MAX_CHANGE_DOCUMENT_BYTES);
}

export function toChangeRecord(change: PostedChange, now: Date): ChangeRecord {
  const at = change.changedAt ?? now.toISOString();
  return {
    id: change.id,
    kind: change.kind,
    title: change.title,
    assetIds: change.assetIds,
    status: change.status ?? 'implemented',
    type: change.type ?? 'configuration',
    plannedStart: change.plannedStart ?? change.plannedEnd ?? at,
    plannedEnd: change.plannedEnd ?? change.plannedStart ?? at,
    ...(change.before ? { before: change.before } : {}),
    ...(change.after ? { after: change.after } : {}),
    ...(change.attributes ? { attributes: change.attributes } : {}),
  };
}
