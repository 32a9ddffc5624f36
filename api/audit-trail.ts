/**
 * The audit trail of the API itself, a decoration of the app (`app.auditTrail`): every read of a
 * history, export or replay goes to the access log (the table the access-log route pages through)
 * and to the signed `access` chain; every administrative change to the signed `system` chain.
 * Neither ever holds a secret: a key's token, a channel's secret value, an import's rows (a
 * contentHash of what they were, db/ledger.ts, stands in).
 */
import type { FastifyInstance } from 'fastify';
import type { AccessAction } from '../db/access-log.repo.js';
import { appendChainEvent, appendChainEventIn } from '../db/audit-chains.repo.js';
import { accessLog } from '../db/schema.js';
import type { SigningKey } from '../db/chain-signing.js';
import type { Database } from '../db/client.js';

export interface AuditTrail {
  access(actor: string, action: AccessAction, incidentId: string): Promise<void>;
  system(type: SystemEventType, actor: string, data: Record<string, unknown>): Promise<void>;
}

export type SystemEventType = 'api_key_created' | 'api_key_revoked' | 'channels_replaced' | 'playbook_registered' | 'exposure_rule_registered' | 'context_imported' | 'change_posted' | 'settings_in_force';

declare module 'fastify' {
  interface FastifyInstance {
    auditTrail: AuditTrail;
  }
}

export function createAuditTrail(db: Database, signer?: SigningKey): AuditTrail {
  return {
    async access(actor, action, incidentId) {
      // The row the access-log route pages and its signed chain event, together or not at all.
      await db.transaction(async (tx) => {
        await tx.insert(accessLog).values({ actor, action, incidentId });
        await appendChainEventIn(tx, 'access', { type: action, actor, data: { incidentId } }, signer);
      });
    },
    async system(type, actor, data) {
      await appendChainEvent(db, 'system', { type, actor, data }, signer);
    },
  };
}

export function installAuditTrail(app: FastifyInstance, db: Database, signer?: SigningKey): void {
  app.decorate('auditTrail', createAuditTrail(db, signer));
}
