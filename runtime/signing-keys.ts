/**
 * irflow's signing keys on disk. The private key (Ed25519, PKCS#8 PEM) is
 * `IRFLOW_SIGNING_KEY_FILE`, else `<data folder>/signing/signing-key.pem`, made at the first start
 * with mode 0600 in a 0700 folder. Every public key that ever signed is kept beside it in
 * `public-keys.json` (or `IRFLOW_SIGNING_PUBLIC_KEYS_FILE`), so a rotation (`npm run
 * signing:rotate`) never makes older heads and dossiers unverifiable. Neither file is in the
 * database: whoever can write the database cannot sign.
 */
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { newSigningKey, publicSigningKey, signingKeyOf, type KeyRing, type PublicSigningKey } from '../db/chain-signing.js';
import { createPublicKey } from 'node:crypto';
import { signUnsignedHeads } from '../db/chain-heads.repo.js';
import type { Database } from '../db/client.js';

export class SigningKeyError extends Error {
  override name = 'SigningKeyError';
}

export interface KeyFiles {
  privateKey: string;
  publicKeys: string;
  /** The private key's place was given (IRFLOW_SIGNING_KEY_FILE): it is never made here. */
  given: boolean;
}

export function keyFiles(dataDir: string, env: NodeJS.ProcessEnv = process.env): KeyFiles {
  const privateKey = env.IRFLOW_SIGNING_KEY_FILE || join(dataDir, 'signing', 'signing-key.pem');
  const publicKeys = env.IRFLOW_SIGNING_PUBLIC_KEYS_FILE || join(dirname(privateKey), 'public-keys.json');
  return { privateKey, publicKeys, given: Boolean(env.IRFLOW_SIGNING_KEY_FILE) };
}

function readPublicKeys(file: string): PublicSigningKey[] {
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { keys?: PublicSigningKey[] };
  if (!Array.isArray(parsed.keys)) throw new SigningKeyError(`${file} holds no {"keys": [...]}`);
  return parsed.keys;
}

/** Writes a file whole or not at all, readable by its owner only where it is secret. */
function writeAtomically(file: string, content: string, mode: number): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode });
  chmodSync(temporary, mode);
  renameSync(temporary, file);
}

function writePublicKeys(file: string, keys: PublicSigningKey[]): void {
  writeAtomically(file, `${JSON.stringify({ keys }, null, 2)}\n`, 0o644);
}

export interface LoadedKeyRing {
  ring: KeyRing;
  /** The key was made by this call: heads recorded before irflow signed are to be signed once, now. */
  created: boolean;
}

/** The key ring of this data folder, making the key at the first start. */
export function loadKeyRing(dataDir: string, env: NodeJS.ProcessEnv = process.env): LoadedKeyRing {
  const files = keyFiles(dataDir, env);
  let created = false;
  if (!existsSync(files.privateKey)) {
    if (files.given) throw new SigningKeyError(`IRFLOW_SIGNING_KEY_FILE=${files.privateKey} does not exist`);
    mkdirSync(dirname(files.privateKey), { recursive: true, mode: 0o700 });
    // Written whole beside it, then linked into place: of two processes starting on a new data
    // folder (an API and a worker sharing a volume) one makes the key, and neither reads half of it.
    const temporary = `${files.privateKey}.${process.pid}.new`;
    writeFileSync(temporary, newSigningKey().privateKeyPem, { mode: 0o600 });
    try {
      linkSync(temporary, files.privateKey);
      created = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temporary);
    }
  }
  let signer;
  try {
    signer = signingKeyOf(readFileSync(files.privateKey, 'utf8'));
  } catch (error) {
    throw new SigningKeyError(`${files.privateKey} is not an Ed25519 private key in PEM: ${error instanceof Error ? error.message : String(error)}`);
  }
  const publicKeys = readPublicKeys(files.publicKeys);
  if (!publicKeys.some((key) => key.id === signer.id)) {
    publicKeys.push(publicSigningKey(createPublicKey(signer.privateKey), new Date()));
    writePublicKeys(files.publicKeys, publicKeys);
  }
  return { ring: { signer, publicKeys }, created };
}

/** Makes a new signing key; the old one's public key stays published. Returns the new key's id. */
export function rotateSigningKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): { previous: string; current: string } {
  const files = keyFiles(dataDir, env);
  const { ring } = loadKeyRing(dataDir, env);
  const made = newSigningKey();
  writePublicKeys(files.publicKeys, [...ring.publicKeys, made.publicKey]);
  writeAtomically(files.privateKey, made.privateKeyPem, 0o600);
  return { previous: ring.signer!.id, current: made.publicKey.id };
}

/**
 * The key ring for a process that records or verifies: made at the first start, when the heads
 * recorded before irflow signed (an upgrade) are signed once.
 */
export async function prepareKeyRing(dataDir: string, db: Database, log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<KeyRing> {
  const { ring, created } = loadKeyRing(dataDir, env);
  if (created) {
    const signed = await signUnsignedHeads(db, ring.signer!);
    log(`made the signing key ${ring.signer!.id} (${keyFiles(dataDir, env).privateKey}); signed ${signed} chain heads recorded before it`);
  }
  return ring;
}
