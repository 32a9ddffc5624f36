/**
 * The audit trail of the API itself, a decoration of the app (`app.auditTrail`): every read of a
 * history, export or replay goes to the access log (the table the access-log route pages through)
 * and to the signed `access` chain; every administrative change to the signed `system` chain.
 * Neither ever holds a secret: a key's token, a channel's secret value, an import's rows.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { recordAccess, type AccessAction } from '../db/access-log.repo.js';
import { appendChainEvent } from '../db/audit-chains.repo.js';
import type { SigningKey } from '../db/chain-signing.js';
import type { Database } from '../db/client.js';
import { canonicalJson } from '../db/ledger.js';

export interface AuditTrail {
  access(actor: string, action: AccessAction, incidentId: string): Promise<void>;
  system(type: SystemEventType, actor: string, data: Record<string, unknown>): Promise<void>;
}

export type SystemEventType = 'api_key_created' | 'api_key_revoked' | 'channels_replaced' | 'playbook_registered' | 'context_imported' | 'settings_in_force';

declare module 'fastify' {
  interface FastifyInstance {
    auditTrail: AuditTrail;
  }
}

/** SHA-256 of the canonical JSON of a value: what a batch was, without keeping the batch. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

export function createAuditTrail(db: Database, signer?: SigningKey): AuditTrail {
  return {
    async access(actor, action, incidentId) {
      await recordAccess(db, actor, action, incidentId);
      await appendChainEvent(db, 'access', { type: action, actor, data: { incidentId } }, signer);
    },
    async system(type, actor, data) {
      await appendChainEvent(db, 'system', { type, actor, data }, signer);
    },
  };
}

export function installAuditTrail(app: FastifyInstance, db: Database, signer?: SigningKey): void {
  app.decorate('auditTrail', createAuditTrail(db, signer));
}
