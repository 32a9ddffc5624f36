/**
 * The export dossier of an incident: the incident, its pinned playbook version, the audit log
 * with the chain's recorded tail, and the Temporal history, sealed by a SHA-256 digest over the
 * canonical JSON of everything else. It can be archived and verified later without the service
 * (`irflow-verify dossier.json`).
 */
import { createHash } from 'node:crypto';
import { canonicalJson, verifyChain, type ChainVerdict, type StoredEvent } from './ledger.js';

export const DOSSIER_FORMAT = 'irflow-dossier/1';

export interface Dossier {
  format: typeof DOSSIER_FORMAT;
  exportedAt: string;
  exportedBy: string;
  incident: Record<string, unknown> & { id: string };
  /** The last seq and hash the incident recorded: a truncated log is found against it. */
  chain: { lastSeq: number; lastHash: string };
  playbook: { id: string; version: number; hash: string; document: unknown };
  events: StoredEvent[];
  /** The workflow's event history, as Temporal's JSON form (historyToJSON). */
  temporalHistory: unknown;
  /** SHA-256 (hex) of canonicalJson of the dossier without this field. */
  digest: string;
}

export function dossierDigest(dossier: Omit<Dossier, 'digest'>): string {
  return createHash('sha256').update(canonicalJson(dossier)).digest('hex');
}

export function seal(dossier: Omit<Dossier, 'digest'>): Dossier {
  return { ...dossier, digest: dossierDigest(dossier) };
}

export type DossierVerdict = { valid: boolean; digestValid: boolean; chain: ChainVerdict; reason?: string };

export function verifyDossier(input: unknown): DossierVerdict {
  const dossier = input as Partial<Dossier>;
  if (!dossier || dossier.format !== DOSSIER_FORMAT || !Array.isArray(dossier.events) || !dossier.chain || typeof dossier.digest !== 'string') {
    return { valid: false, digestValid: false, chain: { valid: false, events: 0, brokenAt: 0, reason: 'not a dossier' }, reason: `not an ${DOSSIER_FORMAT} dossier` };
  }
  const { digest, ...rest } = dossier as Dossier;
  const digestValid = dossierDigest(rest) === digest;
  const chain = verifyChain(rest.events, rest.chain);
  const reason = !digestValid ? 'the digest does not match the content: the dossier was changed after export' : chain.valid ? undefined : chain.reason;
  return { valid: digestValid && chain.valid, digestValid, chain, ...(reason ? { reason } : {}) };
}
