/**
 * The whole check of an incident's ledger: the hash chain recomputed, its tail against the head the
 * projection recorded, and that head's signature against irflow's public keys - so a chain
 * rewritten with recomputed hashes, or cut short with its head moved to match, fails on the
 * signature, which only the holder of the private key can make.
 */
import { verifyHead, type PublicSigningKey, type SignatureVerdict, type StoredHead, headSignatureOf } from './chain-signing.js';
import { verifyChain, type ChainVerdict, type StoredEvent } from './ledger.js';

export type SignedChainVerdict = ChainVerdict & { signature?: SignatureVerdict };

/** `keys` absent: the signature is not checked (and not reported). */
export function verifySignedChain(events: StoredEvent[], head: StoredHead | undefined, keys?: readonly PublicSigningKey[]): SignedChainVerdict {
  const chain = verifyChain(events, head);
  if (!keys || !head) return chain;
  const signature = verifyHead(keys, head, headSignatureOf(head));
  if (!chain.valid) return { ...chain, signature };
  if (!signature.valid) return { valid: false, events: chain.events, brokenAt: head.lastSeq, reason: signature.reason, signature };
  return { ...chain, signature };
}
