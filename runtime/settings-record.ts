/**
 * The settings in force, in the system chain: at every start of a process that serves the API,
 * the settings that decide who may do what (sign-in, limits, egress, the signing key) are
 * recorded as `settings_in_force` when they differ from the last ones recorded. Never a secret.
 */
import { appendChainEvent, lastChainEventOfType } from '../db/audit-chains.repo.js';
import type { KeyRing } from '../db/chain-signing.js';
import type { Database } from '../db/client.js';
import { contentHash } from '../db/ledger.js';
import type { Config } from './config.js';

export function settingsOfRecord(config: Config, keyRing: KeyRing, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  return {
    oidc: config.oidc ? { issuer: config.oidc.issuer, audience: config.oidc.audience, rolesClaim: config.oidc.rolesClaim, roleMap: config.oidc.roleMap ?? null } : null,
    limits: config.limits,
    requestTimeoutMs: config.requestTimeoutMs ?? null,
    updateDeadlineMs: config.updateDeadlineMs ?? null,
    egressAllow: env.IRFLOW_EGRESS_ALLOW ?? null,
    signingKey: keyRing.signer?.id ?? null,
    publicKeys: keyRing.publicKeys.map((key) => key.id),
  };
}

/** Records the settings when they changed since the last record; true when it recorded. */
export async function recordSettings(db: Database, config: Config, keyRing: KeyRing, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const settings = settingsOfRecord(config, keyRing, env);
  const hash = contentHash(settings);
  const last = await lastChainEventOfType(db, 'system', 'settings_in_force');
  if (last?.data.hash === hash) return false;
  await appendChainEvent(db, 'system', { type: 'settings_in_force', actor: 'system', data: { ...settings, hash } }, keyRing.signer);
  return true;
}
