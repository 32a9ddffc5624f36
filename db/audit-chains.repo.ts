/**
 * The chains beside the incidents' ledgers, hashed and signed the same way: `system` holds every
 * administrative change (API keys made and revoked, channels replaced, playbook versions
 * registered, context imported, settings in force), `access` every read of a history, export or
 * replay. An event's hash is the ledger's formula (db/ledger.ts) with `chain:<name>` in place of
 * the incident id; each event carries the signature of the chain's head as of itself. Appends to
 * one chain are serialised by a transaction-scoped advisory lock, so seqs have no gaps.
 */
import { and, asc, desc, eq, lt, sql } from 'drizzle-orm';
import { signHead, type PublicSigningKey, type SigningKey } from './chain-signing.js';
import { verifySignedChain, type SignedChainVerdict } from './chain-verify.js';
import type { Database } from './client.js';
import { GENESIS_HASH, eventHash, type StoredEvent } from './ledger.js';
import type { Transaction } from './transaction.js';
import { auditChainEvents } from './audit.schema.js';

export const AUDIT_CHAINS = ['system', 'access', 'risk'] as const;
export type AuditChain = (typeof AUDIT_CHAINS)[number];

export interface ChainEventInput {
  type: string;
  actor: string;
  data: Record<string, unknown>;
}

const chainId = (chain: AuditChain) => `chain:${chain}`;

/** Appends an event to a chain inside `tx` (which the advisory lock holds until it ends); returns its seq and hash. */
export async function appendChainEventIn(tx: Transaction, chain: AuditChain, event: ChainEventInput, signer?: SigningKey): Promise<{ seq: number; hash: string }> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${chainId(chain)}))`);
  const [last] = await tx
    .select({ seq: auditChainEvents.seq, hash: auditChainEvents.hash })
    .from(auditChainEvents)
    .where(eq(auditChainEvents.chain, chain))
    .orderBy(desc(auditChainEvents.seq))
    .limit(1);
  const seq = (last?.seq ?? 0) + 1;
  const prevHash = last?.hash ?? GENESIS_HASH;
  const at = new Date();
  const hash = eventHash(prevHash, { incidentId: chainId(chain), seq, at: at.toISOString(), type: event.type, actor: event.actor, from: null, to: null, data: event.data });
  const head = signer ? signHead(signer, { incidentId: chainId(chain), lastSeq: seq, lastHash: hash }) : undefined;
  await tx.insert(auditChainEvents).values({ chain, seq, at, type: event.type, actor: event.actor, data: event.data, prevHash, hash, keyId: head?.keyId ?? null, signature: head?.signature ?? null });
  return { seq, hash };
}

/** Appends an event to a chain, in a transaction of its own. */
export async function appendChainEvent(db: Database, chain: AuditChain, event: ChainEventInput, signer?: SigningKey): Promise<{ seq: number; hash: string }> {
  return db.transaction((tx) => appendChainEventIn(tx, chain, event, signer));
}

export interface ChainEvent {
  seq: number;
  at: string;
  type: string;
  actor: string;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

function toChainEvent(row: typeof auditChainEvents.$inferSelect): ChainEvent {
  return { seq: row.seq, at: row.at.toISOString(), type: row.type, actor: row.actor, data: row.data as Record<string, unknown>, prevHash: row.prevHash, hash: row.hash };
}

/** A page of a chain, newest first. */
export async function listChainEvents(db: Database, chain: AuditChain, page: { before?: number; limit: number }): Promise<ChainEvent[]> {
  const rows = await db
    .select()
    .from(auditChainEvents)
    .where(and(eq(auditChainEvents.chain, chain), page.before ? lt(auditChainEvents.seq, page.before) : undefined))
    .orderBy(desc(auditChainEvents.seq))
    .limit(page.limit);
  return rows.map(toChainEvent);
}

/** Recomputes a whole chain and checks its head's signature (with `keys`), as an incident's ledger is checked. */
export async function verifyAuditChain(db: Database, chain: AuditChain, keys?: readonly PublicSigningKey[]): Promise<SignedChainVerdict> {
  const rows = await db.select().from(auditChainEvents).where(eq(auditChainEvents.chain, chain)).orderBy(asc(auditChainEvents.seq));
  const events: StoredEvent[] = rows.map((row) => ({ ...toChainEvent(row), incidentId: chainId(chain), from: null, to: null }));
  const last = rows.at(-1);
  const head = last && { incidentId: chainId(chain), lastSeq: last.seq, lastHash: last.hash, headKeyId: last.keyId, headSignature: last.signature };
  return verifySignedChain(events, head, keys);
}

/** The newest event of a type in a chain, if any. */
export async function lastChainEventOfType(db: Database, chain: AuditChain, type: string): Promise<ChainEvent | undefined> {
  const [row] = await db
    .select()
    .from(auditChainEvents)
    .where(and(eq(auditChainEvents.chain, chain), eq(auditChainEvents.type, type)))
    .orderBy(desc(auditChainEvents.seq))
    .limit(1);
  return row ? toChainEvent(row) : undefined;
}
