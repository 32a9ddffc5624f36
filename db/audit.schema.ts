/**
 * The audit tables beside the incident ledger: rows superseded out of it, the system and access
 * chains, and the checkpoints. All append-only (their migrations' triggers).
 */
import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

import { ledgerEventColumns } from './schema.js';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Ledger rows a later workflow task superseded (activities/incident.supersede.ts), kept as they
 * were: the ledger is append-only, so even the one removal irflow makes leaves the row here,
 * moved by the database itself (the ledger's trigger) and never changed after.
 */
export const incidentEventsSuperseded = pgTable(
  'incident_events_superseded',
  { ...ledgerEventColumns(), supersededAt: at('superseded_at').notNull().default(sql`now()`) },
  (t) => [index('incident_events_superseded_incident_idx').on(t.incidentId, t.seq)],
);

/**
 * The chains outside incidents, hash-linked and signed like an incident's ledger: `system`
 * (administration: API keys, channels, playbooks, context imports, settings) and `access` (who
 * read which history, export or replay). Append-only (migration 0017's triggers).
 */
export const auditChainEvents = pgTable(
  'audit_chain_events',
  {
    chain: text('chain').notNull(),
    seq: integer('seq').notNull(),
    at: at('at').notNull(),
    type: text('type').notNull(),
    actor: text('actor').notNull(),
    data: jsonb('data').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    /** The signature of the chain's head as of this event (db/chain-signing.ts). */
    keyId: text('key_id'),
    signature: text('signature'),
  },
  (t) => [primaryKey({ name: 'audit_chain_events_pkey', columns: [t.chain, t.seq] })],
);

/**
 * Signed checkpoints for the outside world (db/checkpoints.repo.ts): each a Merkle root over the
 * heads that moved since the checkpoint before it, and that checkpoint's root, so together they
 * cover every head; append-only (migration 0019).
 */
export const checkpoints = pgTable('checkpoints', {
  seq: integer('seq').primaryKey(),
  at: at('at').notNull(),
  size: integer('size').notNull(),
  root: text('root').notNull(),
  previousRoot: text('previous_root'),
  keyId: text('key_id'),
  signature: text('signature'),
});

/** The leaves of each checkpoint: the chain heads it holds, by their place in its tree. */
export const checkpointHeads = pgTable(
  'checkpoint_heads',
  {
    checkpointSeq: integer('checkpoint_seq').notNull(),
    leafIndex: integer('leaf_index').notNull(),
    /** An incident's id, or `chain:system` / `chain:access`. */
    chainId: text('chain_id').notNull(),
    lastSeq: integer('last_seq').notNull(),
    lastHash: text('last_hash').notNull(),
  },
  (t) => [primaryKey({ name: 'checkpoint_heads_pkey', columns: [t.checkpointSeq, t.leafIndex] }), index('checkpoint_heads_chain_idx').on(t.chainId, t.checkpointSeq)],
);
