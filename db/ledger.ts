/**
 * The hash chain of the audit log. Each event's hash is
 *   SHA-256( prevHash || canonicalJson({incidentId, seq, at, type, actor, from, to, data}) )
 * as lower-case hex, where prevHash of seq 1 is 64 zeros and canonicalJson writes objects with
 * keys sorted by UTF-16 code unit, no white space, `at` as an ISO 8601 UTC string with
 * milliseconds (RFC 8785 style). A third party can recompute it from an export.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../machines/canonical-json.js';
import type { AuditEvent } from '../machines/incident.types.js';

export { canonicalJson };

export const GENESIS_HASH = '0'.repeat(64);

/** An audit event of an incident: what its hash covers. */
export interface ChainedEvent extends AuditEvent {
  incidentId: string;
}

/** SHA-256 (hex) of the canonical JSON of a value: what a batch or a setting was, without keeping it. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

export function eventHash(prevHash: string, event: ChainedEvent): string {
  const { incidentId, seq, at, type, actor, from, to, data } = event;
  return createHash('sha256')
    .update(prevHash)
    .update(canonicalJson({ incidentId, seq, at, type, actor, from, to, data }))
    .digest('hex');
}

export interface StoredEvent extends ChainedEvent {
  prevHash: string;
  hash: string;
}

export type ChainVerdict = { valid: true; events: number } | { valid: false; events: number; brokenAt: number; reason: string };

/**
 * Recomputes a chain read in seq order. Finds changed rows (hash mismatch), deleted or inserted
 * rows (seq gaps, broken links) and, given the last seq and hash the projection kept, a
 * truncated tail.
 */
export function verifyChain(events: StoredEvent[], tail?: { lastSeq: number; lastHash: string }): ChainVerdict {
  let prevHash = GENESIS_HASH;
  for (const [index, event] of events.entries()) {
    const expectedSeq = index + 1;
    const fail = (reason: string): ChainVerdict => ({ valid: false, events: events.length, brokenAt: expectedSeq, reason });
    if (event.seq !== expectedSeq) return fail(`expected seq ${expectedSeq}, found ${event.seq}: an event was deleted or inserted`);
    if (event.prevHash !== prevHash) return fail(`prevHash of seq ${event.seq} does not match the hash of the event before it`);
    if (eventHash(prevHash, event) !== event.hash) return fail(`the content of seq ${event.seq} does not match its hash`);
    prevHash = event.hash;
  }
  if (tail) {
    const last = events.at(-1);
    if (!last || last.seq < tail.lastSeq) {
      return { valid: false, events: events.length, brokenAt: (last?.seq ?? 0) + 1, reason: `the log ends at seq ${last?.seq ?? 0} but the incident recorded seq ${tail.lastSeq}: the tail was truncated` };
    }
    if (last.seq === tail.lastSeq && last.hash !== tail.lastHash) {
      return { valid: false, events: events.length, brokenAt: last.seq, reason: `the last event's hash differs from the one the incident recorded` };
    }
  }
  return { valid: true, events: events.length };
}
