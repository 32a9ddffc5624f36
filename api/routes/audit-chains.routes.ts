/** The system and access chains for auditors: their events, and the check of each chain and its signed head. */
import type { FastifyInstance } from 'fastify';
import { AUDIT_CHAINS, listChainEvents, verifyAuditChain, type AuditChain } from '../../db/audit-chains.repo.js';
import type { KeyRing } from '../../db/chain-signing.js';
import type { Database } from '../../db/client.js';
import { authProblems, chainVerdictProperties } from '../schemas.js';

const chainQuery = {
  chain: { type: 'string', enum: [...AUDIT_CHAINS], default: 'system', description: 'system: administration; access: reads of histories, exports and replays; risk: every step of every risk exception' },
} as const;

const chainEvent = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    at: { type: 'string' },
    type: { type: 'string' },
    actor: { type: 'string' },
    data: { type: 'object', additionalProperties: true },
    prevHash: { type: 'string' },
    hash: { type: 'string' },
  },
} as const;

export function auditChainRoutes(app: FastifyInstance, db: Database, keyRing?: KeyRing): void {
  app.get<{ Querystring: { chain: AuditChain; before?: number; limit: number } }>(
    '/v1/audit/system',
    {
      schema: {
        tags: ['audit'],
        summary: 'The system chain (administration) or the access chain, newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...chainQuery,
            before: { type: 'integer', minimum: 1, maximum: 2147483647, description: 'events before this seq (paging)' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
          },
        },
        response: { 200: { type: 'object', properties: { chain: { type: 'string' }, events: { type: 'array', items: chainEvent } } }, ...authProblems },
      },
    },
    async (request) => ({ chain: request.query.chain, events: await listChainEvents(db, request.query.chain, request.query) }),
  );

  app.get<{ Querystring: { chain: AuditChain } }>(
    '/v1/audit/system/verify',
    {
      schema: {
        tags: ['audit'],
        summary: "Recompute a chain's hashes and check its head's signature",
        querystring: { type: 'object', additionalProperties: false, properties: chainQuery },
        response: {
          200: { type: 'object', properties: chainVerdictProperties },
          ...authProblems,
        },
      },
    },
    async (request) => verifyAuditChain(db, request.query.chain, keyRing?.publicKeys),
  );
}
