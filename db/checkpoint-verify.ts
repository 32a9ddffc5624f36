/**
 * A dossier against a checkpoint, offline: the checkpoint is signed by one of irflow's keys, the
 * incident's head it holds is in its Merkle root (the inclusion proof), and the dossier's ledger
 * has that head at its seq - so the events up to it are the ones the checkpoint, kept outside
 * irflow, vouched for.
 */
import { verifyMessage, type PublicSigningKey } from './chain-signing.js';
import { checkpointMessage, headLeaf, type CheckpointHeader, type InclusionProof } from './checkpoints.repo.js';
import type { Dossier } from './dossier.js';
import { verifyInclusion } from './merkle.js';

export type CheckpointVerdict = { valid: true; checkpoint: number; seq: number } | { valid: false; reason: string };

export function verifyAgainstCheckpoint(dossier: Dossier, proof: InclusionProof, keys: readonly PublicSigningKey[], kept?: CheckpointHeader & { signature?: unknown }): CheckpointVerdict {
  const { checkpoint, leaf } = proof;
  const signed = verifyMessage(keys, checkpointMessage(checkpoint), checkpoint.signature, 'checkpoint');
  if (!signed.valid) return { valid: false, reason: signed.reason };
  if (kept && (kept.seq !== checkpoint.seq || kept.root !== checkpoint.root)) return { valid: false, reason: `the proof's checkpoint ${checkpoint.seq} is not the checkpoint kept (${kept.seq}, root ${kept.root.slice(0, 12)}…)` };
  if (leaf.chain !== dossier.incident.id) return { valid: false, reason: `the proof is for ${leaf.chain}, the dossier for ${dossier.incident.id}` };
  const included = verifyInclusion(proof.index, checkpoint.size, headLeaf(leaf), proof.proof.map((p) => Buffer.from(p, 'hex')), Buffer.from(checkpoint.root, 'hex'));
  if (!included) return { valid: false, reason: `the head is not in checkpoint ${checkpoint.seq}: the inclusion proof does not lead to its root` };
  const event = dossier.events.find((e) => e.seq === leaf.lastSeq);
  if (!event) return { valid: false, reason: `checkpoint ${checkpoint.seq} holds seq ${leaf.lastSeq} of ${leaf.chain}, which the dossier lacks` };
  if (event.hash !== leaf.lastHash) return { valid: false, reason: `seq ${leaf.lastSeq} of the dossier is not the one checkpoint ${checkpoint.seq} holds: the ledger was rewritten after it` };
  return { valid: true, checkpoint: checkpoint.seq, seq: leaf.lastSeq };
}
