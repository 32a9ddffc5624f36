/**
 * The export dossier of an incident: the incident, its pinned playbook version, the audit log
 * with the chain's recorded head and its signature, and the Temporal history, sealed by a SHA-256
 * digest over the canonical JSON of everything else and irflow's Ed25519 signature of that digest.
 * It can be archived and verified later without the service (`irflow-verify dossier.json --keys
 * keys.json`, the keys as `GET /v1/audit/keys` published them): a dossier changed and re-sealed
 * by anyone without irflow's key fails.
 */
import { createHash } from 'node:crypto';
import { signMessage, verifyHead, verifyMessage, type PublicSigningKey, type Signature, type SignatureVerdict, type SigningKey } from './chain-signing.js';
import { canonicalJson, verifyChain, type ChainVerdict, type StoredEvent } from './ledger.js';

export const DOSSIER_FORMAT = 'irflow-dossier/1';

export interface Dossier {
  format: typeof DOSSIER_FORMAT;
  exportedAt: string;
  exportedBy: string;
  incident: Record<string, unknown> & { id: string };
  /** The last seq and hash the incident recorded (a truncated log is found against it), and the head's signature. */
  chain: { lastSeq: number; lastHash: string; signature?: Signature };
  playbook: { id: string; version: number; hash: string; document: unknown };
  events: StoredEvent[];
  /** The workflow's event history, as Temporal's JSON form (historyToJSON). */
  temporalHistory: unknown;
  /** SHA-256 (hex) of canonicalJson of the dossier without this field and `seal`. */
  digest: string;
  /** irflow's signature of the digest (its UTF-8 hex text). */
  seal?: Signature;
}

export function dossierDigest(dossier: Omit<Dossier, 'digest' | 'seal'>): string {
  return createHash('sha256').update(canonicalJson(dossier)).digest('hex');
}

export function seal(dossier: Omit<Dossier, 'digest' | 'seal'>, signer?: SigningKey): Dossier {
  const digest = dossierDigest(dossier);
  return { ...dossier, digest, ...(signer ? { seal: signMessage(signer, Buffer.from(digest)) } : {}) };
}

export type DossierVerdict = {
  valid: boolean;
  digestValid: boolean;
  chain: ChainVerdict;
  /** With trusted keys: the seal over the digest, and the chain head's signature. */
  seal?: SignatureVerdict;
  head?: SignatureVerdict;
  reason?: string;
};

function notADossier(): DossierVerdict {
  return { valid: false, digestValid: false, chain: { valid: false, events: 0, brokenAt: 0, reason: 'not a dossier' }, reason: `not an ${DOSSIER_FORMAT} dossier` };
}

/** Checks a dossier; with `keys` (irflow's published public keys) its seal and head signature too. */
export function verifyDossier(input: unknown, keys?: readonly PublicSigningKey[]): DossierVerdict {
  const dossier = input as Partial<Dossier>;
  if (!dossier || dossier.format !== DOSSIER_FORMAT || !Array.isArray(dossier.events) || !dossier.chain || typeof dossier.digest !== 'string') return notADossier();
  const { digest, seal: sealed, ...rest } = dossier as Dossier;
  const digestValid = dossierDigest(rest) === digest;
  const chain = verifyChain(rest.events, rest.chain);
  const signatures = keys
    ? {
        seal: verifyMessage(keys, Buffer.from(digest), sealed, 'dossier seal'),
        head: verifyHead(keys, { incidentId: String(rest.incident?.id), lastSeq: rest.chain.lastSeq, lastHash: rest.chain.lastHash }, rest.chain.signature),
      }
    : {};
  const failed = [signatures.seal, signatures.head].find((verdict) => verdict && !verdict.valid) as { reason: string } | undefined;
  const reason = !digestValid ? 'the digest does not match the content: the dossier was changed after export' : !chain.valid ? chain.reason : failed?.reason;
  return { valid: digestValid && chain.valid && !failed, digestValid, chain, ...signatures, ...(reason ? { reason } : {}) };
}
