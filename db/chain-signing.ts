/**
 * Signed chain heads: the one module that owns signing keys and signatures. Whenever an
 * incident's chain head (its last seq and hash) moves, the recorder signs it with irflow's Ed25519
 * key, so rewriting a chain - every hash recomputed, the head set to match - or cutting events
 * off its end needs the private key, which lives outside the database. Verify, export, replay and
 * the offline verifier check heads and dossiers with the public keys alone. A key's id is the
 * first 16 hex digits of the SHA-256 of its public key (SPKI DER): rotation adds a key, and every
 * key that ever signed stays published.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../machines/canonical-json.js';

/** A public key as irflow publishes it (`GET /v1/audit/keys`) and an auditor pins it. */
export interface PublicSigningKey {
  id: string;
  algorithm: 'Ed25519';
  /** SPKI, PEM. */
  publicKey: string;
  createdAt: string;
}

/** The key that signs now. */
export interface SigningKey {
  id: string;
  privateKey: KeyObject;
}

/** What signs and what verifies: the current key and every public key that ever signed. */
export interface KeyRing {
  signer?: SigningKey;
  publicKeys: PublicSigningKey[];
}

export interface Signature {
  keyId: string;
  /** Ed25519 signature, base64url. */
  signature: string;
}

export interface ChainHead {
  incidentId: string;
  lastSeq: number;
  lastHash: string;
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

export function newSigningKey(): { privateKeyPem: string; publicKey: PublicSigningKey } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey: publicSigningKey(publicKey, new Date()) };
}

export function publicSigningKey(publicKey: KeyObject, createdAt: Date): PublicSigningKey {
  return { id: keyIdOf(publicKey), algorithm: 'Ed25519', publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), createdAt: createdAt.toISOString() };
}

/** The signer of a PKCS#8 PEM private key; its id is its public key's. */
export function signingKeyOf(privateKeyPem: string): SigningKey {
  const privateKey = createPrivateKey(privateKeyPem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`the signing key is ${privateKey.asymmetricKeyType}, not Ed25519`);
  return { id: keyIdOf(createPublicKey(privateKey)), privateKey };
}

/** What a head signature covers: the canonical JSON of the head, with its format. */
export function headMessage(head: ChainHead): Buffer {
  return Buffer.from(canonicalJson({ format: 'irflow-chain-head/1', incidentId: head.incidentId, lastSeq: head.lastSeq, lastHash: head.lastHash }));
}

export function signMessage(key: SigningKey, message: Buffer): Signature {
  return { keyId: key.id, signature: sign(null, message, key.privateKey).toString('base64url') };
}

export function signHead(key: SigningKey, head: ChainHead): Signature {
  return signMessage(key, headMessage(head));
}

export type SignatureVerdict = { valid: true; keyId: string } | { valid: false; reason: string };

/** Checks a signature over `message` against the keys trusted; says which way it fails. */
export function verifyMessage(keys: readonly PublicSigningKey[], message: Buffer, signature: Partial<Signature> | null | undefined, what: string): SignatureVerdict {
  if (!signature?.keyId || !signature.signature) return { valid: false, reason: `the ${what} carries no signature` };
  const key = keys.find((k) => k.id === signature.keyId);
  if (!key) return { valid: false, reason: `the ${what} is signed by key ${signature.keyId}, which is not one of irflow's signing keys` };
  let holds = false;
  try {
    holds = verify(null, message, createPublicKey(key.publicKey), Buffer.from(signature.signature, 'base64url'));
  } catch {
    holds = false;
  }
  if (!holds) return { valid: false, reason: `the ${what}'s signature does not verify: it was rewritten or moved by someone without the signing key` };
  return { valid: true, keyId: key.id };
}

export function verifyHead(keys: readonly PublicSigningKey[], head: ChainHead, signature: Partial<Signature> | null | undefined): SignatureVerdict {
  return verifyMessage(keys, headMessage(head), signature, 'chain head');
}

/** An incident's head as the projection keeps it, with its signature. */
export interface StoredHead extends ChainHead {
  headKeyId: string | null;
  headSignature: string | null;
}

export function headSignatureOf(head: StoredHead): Signature | null {
  return head.headKeyId && head.headSignature ? { keyId: head.headKeyId, signature: head.headSignature } : null;
}
