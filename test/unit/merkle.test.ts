import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inclusionProof, leafHash, nodeHash, treeHash, verifyInclusion } from '../../db/merkle.js';

const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));

describe('Merkle trees (RFC 9162 §2.1)', () => {
  it('hash as the RFC defines: the empty tree, one leaf, and splits at the largest power of two below n', () => {
    expect(treeHash([]).toString('hex')).toBe(createHash('sha256').digest('hex'));
    expect(leafHash(Buffer.from('a')).equals(createHash('sha256').update(Buffer.from([0])).update('a').digest())).toBe(true);
    const [a, b, c, d, e] = leaves(5) as [Buffer, Buffer, Buffer, Buffer, Buffer];
    expect(treeHash([a, b, c]).equals(nodeHash(nodeHash(a, b), c))).toBe(true);
    expect(treeHash([a, b, c, d, e]).equals(nodeHash(nodeHash(nodeHash(a, b), nodeHash(c, d)), e))).toBe(true);
  });

  it('prove every leaf of every tree up to 33 leaves, and nothing else', () => {
    for (let n = 1; n <= 33; n += 1) {
      const tree = leaves(n);
      const root = treeHash(tree);
      for (let m = 0; m < n; m += 1) {
        const proof = inclusionProof(m, tree);
        expect(verifyInclusion(m, n, tree[m]!, proof, root), `leaf ${m} of ${n}`).toBe(true);
        expect(verifyInclusion(m, n, leafHash(Buffer.from('other')), proof, root), `another leaf at ${m} of ${n}`).toBe(false);
        if (n > 1) expect(verifyInclusion((m + 1) % n, n, tree[m]!, proof, root), `leaf ${m} claimed at another index of ${n}`).toBe(false);
      }
    }
    expect(verifyInclusion(3, 3, leaves(1)[0]!, [], treeHash(leaves(3)))).toBe(false);
  });
});
