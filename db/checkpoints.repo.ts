/**
 * Checkpoints: signed Merkle roots (RFC 9162 trees, db/merkle.ts) over chain heads, to be kept
 * outside irflow's database (a file in an append-only folder), so a copy there can prove later
 * that nothing before it was rewritten. A checkpoint's leaves are the previous checkpoint (its seq
 * and root) and every head that moved since it - incidents' ledgers and the system and access
 * chains - so the first checkpoint holds every head and each later one what changed; together
 * they cover every head. An incident's inclusion proof comes from the checkpoint that holds its
 * latest checkpointed head.
 */
import { asc, desc, eq, sql } from 'drizzle-orm';
import { signMessage, type Signature, type SigningKey } from './chain-signing.js';
import type { Database } from './client.js';
import { canonicalJson } from './ledger.js';
import { inclusionProof, leafHash, treeHash } from './merkle.js';
import { checkpointHeads, checkpoints } from './audit.schema.js';
import { selectRows } from './sql-rows.js';
import type { Transaction } from './transaction.js';

export const CHECKPOINT_FORMAT = 'irflow-checkpoint/1';

export interface CheckpointHeader {
  format: typeof CHECKPOINT_FORMAT;
  seq: number;
  at: string;
  size: number;
  root: string;
  previous: { seq: number; root: string } | null;
}

export interface CheckpointLeaf {
  chain: string;
  lastSeq: number;
  lastHash: string;
}

export interface Checkpoint extends CheckpointHeader {
  signature?: Signature;
  /** The heads it holds, in leaf order after the previous checkpoint's leaf. */
  heads: CheckpointLeaf[];
}

/** The bytes a leaf hashes: a head, or the previous checkpoint. */
export function headLeaf(head: CheckpointLeaf): Buffer {
  return leafHash(Buffer.from(canonicalJson({ chain: head.chain, lastSeq: head.lastSeq, lastHash: head.lastHash })));
}
export function previousLeaf(previous: { seq: number; root: string }): Buffer {
  return leafHash(Buffer.from(canonicalJson({ previousCheckpoint: previous.seq, root: previous.root })));
}
/** What a checkpoint's signature covers. */
export function checkpointMessage(header: CheckpointHeader): Buffer {
  const { format, seq, at, size, root, previous } = header;
  return Buffer.from(canonicalJson({ format, seq, at, size, root, previous }));
}

function leavesOf(previous: CheckpointHeader['previous'], heads: CheckpointLeaf[]): Buffer[] {
  return [...(previous ? [previousLeaf(previous)] : []), ...heads.map(headLeaf)];
}

/** Every head that differs from the one the checkpoints last held for its chain. */
async function movedHeads(db: Database | Transaction): Promise<CheckpointLeaf[]> {
  return selectRows<CheckpointLeaf>(
    db,
    sql`with heads as (
          select id as chain, last_seq, last_hash from incidents
          union all
          select * from (select distinct on (chain) 'chain:' || chain, seq, hash from audit_chain_events order by chain, seq desc) chain_heads
        )
        select h.chain, h.last_seq as "lastSeq", h.last_hash as "lastHash" from heads h
        left join lateral (select c.last_seq, c.last_hash from checkpoint_heads c where c.chain_id = h.chain order by c.checkpoint_seq desc limit 1) seen on true
        where seen.last_seq is distinct from h.last_seq or seen.last_hash is distinct from h.last_hash
        order by h.chain`,
  );
}

/** Makes a checkpoint of what moved; none when nothing did since the last one. */
export async function createCheckpoint(db: Database, signer?: SigningKey, now = new Date()): Promise<Checkpoint | undefined> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('irflow:checkpoints'))`);
    const [last] = await tx.select().from(checkpoints).orderBy(desc(checkpoints.seq)).limit(1);
    const heads = await movedHeads(tx);
    if (last && heads.length === 0) return undefined;
    const previous = last ? { seq: last.seq, root: last.root } : null;
    const leaves = leavesOf(previous, heads);
    const header: CheckpointHeader = { format: CHECKPOINT_FORMAT, seq: (last?.seq ?? 0) + 1, at: now.toISOString(), size: leaves.length, root: treeHash(leaves).toString('hex'), previous };
    const signature = signer ? signMessage(signer, checkpointMessage(header)) : undefined;
    await tx.insert(checkpoints).values({ seq: header.seq, at: now, size: header.size, root: header.root, previousRoot: previous?.root ?? null, keyId: signature?.keyId ?? null, signature: signature?.signature ?? null });
    const offset = previous ? 1 : 0;
    for (let i = 0; i < heads.length; i += 1000) {
      await tx.insert(checkpointHeads).values(heads.slice(i, i + 1000).map((h, j) => ({ checkpointSeq: header.seq, leafIndex: offset + i + j, chainId: h.chain, lastSeq: h.lastSeq, lastHash: h.lastHash })));
    }
    return { ...header, ...(signature ? { signature } : {}), heads };
  });
}

function headerOf(row: typeof checkpoints.$inferSelect, previousSeq: number | null): CheckpointHeader & { signature?: Signature } {
  const previous = row.previousRoot && previousSeq ? { seq: previousSeq, root: row.previousRoot } : null;
  const signature = row.keyId && row.signature ? { signature: { keyId: row.keyId, signature: row.signature } } : {};
  return { format: CHECKPOINT_FORMAT, seq: row.seq, at: row.at.toISOString(), size: row.size, root: row.root, previous, ...signature };
}

export async function listCheckpoints(db: Database, limit = 100): Promise<Array<CheckpointHeader & { signature?: Signature }>> {
  const rows = await db.select().from(checkpoints).orderBy(desc(checkpoints.seq)).limit(limit);
  return rows.map((row) => headerOf(row, row.seq > 1 ? row.seq - 1 : null));
}

export async function findCheckpoint(db: Database, seq: number): Promise<Checkpoint | undefined> {
  const [row] = await db.select().from(checkpoints).where(eq(checkpoints.seq, seq));
  if (!row) return undefined;
  const leaves = await db.select().from(checkpointHeads).where(eq(checkpointHeads.checkpointSeq, seq)).orderBy(asc(checkpointHeads.leafIndex));
  return { ...headerOf(row, seq > 1 ? seq - 1 : null), heads: leaves.map((l) => ({ chain: l.chainId, lastSeq: l.lastSeq, lastHash: l.lastHash })) };
}

export interface InclusionProof {
  checkpoint: CheckpointHeader & { signature?: Signature };
  leaf: CheckpointLeaf;
  index: number;
  /** The audit path, hex, from the leaf up. */
  proof: string[];
}

/** The proof that a chain's latest checkpointed head is in its checkpoint; none before one holds it. */
export async function inclusionProofOf(db: Database, chain: string): Promise<InclusionProof | undefined> {
  const [held] = await db.select().from(checkpointHeads).where(eq(checkpointHeads.chainId, chain)).orderBy(desc(checkpointHeads.checkpointSeq)).limit(1);
  if (!held) return undefined;
  const checkpoint = (await findCheckpoint(db, held.checkpointSeq))!;
  const leaves = leavesOf(checkpoint.previous, checkpoint.heads);
  const { heads: _heads, ...header } = checkpoint;
  return {
    checkpoint: header,
    leaf: { chain, lastSeq: held.lastSeq, lastHash: held.lastHash },
    index: held.leafIndex,
    proof: inclusionProof(held.leafIndex, leaves).map((p) => p.toString('hex')),
  };
}
