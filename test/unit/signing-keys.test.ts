import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signHead, verifyHead } from '../../db/chain-signing.js';
import { keyFiles, loadKeyRing, rotateSigningKey, SigningKeyError } from '../../runtime/signing-keys.js';

const dirs: string[] = [];
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'irflow-keyring-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const head = { incidentId: 'INC-1', lastSeq: 7, lastHash: 'ab'.repeat(32) };

describe('signing keys on disk', () => {
  it('are made once, readable by their owner only, and the same at every later start', () => {
    const dir = fresh();
    const first = loadKeyRing(dir, {});
    expect(first.created).toBe(true);
    const files = keyFiles(dir, {});
    expect(statSync(files.privateKey).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'signing')).mode & 0o777).toBe(0o700);
    const again = loadKeyRing(dir, {});
    expect(again.created).toBe(false);
    expect(again.ring.signer!.id).toBe(first.ring.signer!.id);
    expect(again.ring.publicKeys.map((k) => k.id)).toEqual([first.ring.signer!.id]);
  });

  it('rotate to a new key and keep every old public key, so older heads still verify', () => {
    const dir = fresh();
    const before = loadKeyRing(dir, {}).ring;
    const signed = signHead(before.signer!, head);
    const { previous, current } = rotateSigningKey(dir, {});
    const after = loadKeyRing(dir, {}).ring;
    expect(previous).toBe(before.signer!.id);
    expect(after.signer!.id).toBe(current);
    expect(after.publicKeys.map((k) => k.id)).toEqual([previous, current]);
    expect(verifyHead(after.publicKeys, head, signed)).toEqual({ valid: true, keyId: previous });
    expect(verifyHead(after.publicKeys, head, signHead(after.signer!, head))).toEqual({ valid: true, keyId: current });
    expect(verifyHead(after.publicKeys, { ...head, lastSeq: 6 }, signed).valid).toBe(false);
  });

  it('take a key file given by IRFLOW_SIGNING_KEY_FILE, and never make one there', () => {
    const dir = fresh();
    const made = loadKeyRing(dir, {});
    const env = { IRFLOW_SIGNING_KEY_FILE: keyFiles(dir, {}).privateKey };
    expect(loadKeyRing(fresh(), env).ring.signer!.id).toBe(made.ring.signer!.id);
    expect(() => loadKeyRing(dir, { IRFLOW_SIGNING_KEY_FILE: join(dir, 'missing.pem') })).toThrow(SigningKeyError);
    const notEd25519 = join(dir, 'rsa.pem');
    writeFileSync(notEd25519, 'not a key');
    expect(() => loadKeyRing(dir, { IRFLOW_SIGNING_KEY_FILE: notEd25519 })).toThrow(/not an Ed25519 private key/);
  });
});
