/**
 * Merkle trees as Certificate Transparency defines them (RFC 9162 §2.1, as RFC 6962 before it),
 * with SHA-256: the tree hash, an inclusion proof (audit path) of a leaf, and its verification
 * by the RFC's algorithm. Leaves are hashed with a 0x00 prefix and nodes with 0x01, so no leaf
 * can pass for a node. Written from the RFC because the npm trees either hash differently (no
 * domain separation, sorted pairs) or pull in unmaintained crypto; the RFC's structure is fixed,
 * and the tests check it against its definition.
 */
import { createHash } from 'node:crypto';

const sha256 = (...parts: Buffer[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

export function leafHash(data: Buffer): Buffer {
  return sha256(LEAF, data);
}

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return sha256(NODE, left, right);
}

/** The largest power of two smaller than n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) over leaf hashes. */
export function treeHash(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0]!;
  const k = split(leaves.length);
  return nodeHash(treeHash(leaves.slice(0, k)), treeHash(leaves.slice(k)));
}

/** PATH(m, D[n]): the audit path of leaf m. */
export function inclusionProof(index: number, leaves: readonly Buffer[]): Buffer[] {
  if (index < 0 || index >= leaves.length) throw new RangeError(`no leaf ${index} in a tree of ${leaves.length}`);
  if (leaves.length === 1) return [];
  const k = split(leaves.length);
  return index < k ? [...inclusionProof(index, leaves.slice(0, k)), treeHash(leaves.slice(k))] : [...inclusionProof(index - k, leaves.slice(k)), treeHash(leaves.slice(0, k))];
}

/** RFC 9162 §2.1.3.2: does the path prove leaf `index` of a tree of `size` leaves under `root`? */
export function verifyInclusion(index: number, size: number, leaf: Buffer, proof: readonly Buffer[], root: Buffer): boolean {
  if (index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}
