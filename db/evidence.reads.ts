/**
 * Evidence of an incident read from its ledger: each item as it stands now (custodian, disposed)
 * and its chain of custody - every upload, download, transfer, disposal and failed integrity
 * check, in ledger order, naming who and why.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from './client.js';
import { incidentEvents } from './schema.js';

export const EVIDENCE_EVENT_TYPES = ['evidence_added', 'evidence_downloaded', 'evidence_transferred', 'evidence_disposed', 'evidence_integrity_failed'] as const;

export interface CustodyEvent {
  seq: number;
  at: string;
  type: string;
  actor: string;
  data: Record<string, unknown>;
}

export interface EvidenceRecord {
  id: string;
  incidentId: string;
  name: string;
  mediaType: string;
  sha256: string;
  size: number;
  description?: string;
  /** `irflow`: the bytes are in irflow's store; `reference`: held elsewhere, at `uri`. */
  storage: 'irflow' | 'reference';
  uri?: string;
  custodian: string;
  addedBy: string;
  addedAt: string;
  disposed: boolean;
  /** Downloads whose bytes did not match the recorded hash. */
  integrityFailures: number;
  custody: CustodyEvent[];
}

type Data = Record<string, unknown> & { evidenceId?: string };

function fold(items: Map<string, EvidenceRecord>, incidentId: string, event: CustodyEvent): void {
  const data = event.data as Data;
  const id = data.evidenceId;
  if (typeof id !== 'string') return;
  if (event.type === 'evidence_added') {
    const held = data.storage === 'reference' ? { storage: 'reference' as const, uri: String(data.uri) } : { storage: 'irflow' as const };
    items.set(id, {
      id,
      incidentId,
      name: String(data.name),
      mediaType: String(data.mediaType),
      sha256: String(data.sha256),
      size: Number(data.size),
      ...(typeof data.description === 'string' ? { description: data.description } : {}),
      ...held,
      custodian: String(data.custodian ?? event.actor),
      addedBy: event.actor,
      addedAt: event.at,
      disposed: false,
      integrityFailures: 0,
      custody: [],
    });
  }
  const item = items.get(id);
  if (!item) return;
  item.custody.push(event);
  if (event.type === 'evidence_transferred') item.custodian = String(data.to);
  if (event.type === 'evidence_disposed') item.disposed = true;
  if (event.type === 'evidence_integrity_failed') item.integrityFailures += 1;
}

/** Every evidence item of an incident, in the order it was added, each with its custody chain. */
export async function incidentEvidence(db: Database, incidentId: string): Promise<EvidenceRecord[]> {
  const rows = await db
    .select({ seq: incidentEvents.seq, at: incidentEvents.at, type: incidentEvents.type, actor: incidentEvents.actor, data: incidentEvents.data })
    .from(incidentEvents)
    .where(and(eq(incidentEvents.incidentId, incidentId), inArray(incidentEvents.type, [...EVIDENCE_EVENT_TYPES])))
    .orderBy(asc(incidentEvents.seq));
  const items = new Map<string, EvidenceRecord>();
  for (const row of rows) fold(items, incidentId, { seq: row.seq, at: row.at.toISOString(), type: row.type, actor: row.actor, data: (row.data ?? {}) as Record<string, unknown> });
  return [...items.values()];
}

/**
 * Is any evidence item not disposed of still holding these bytes, in any incident? (Content is
 * stored once per hash; disposing of one item removes the bytes only when none is.)
 */
export async function bytesStillHeld(db: Database, sha256: string): Promise<boolean> {
  const rows = await db
    .select({ incidentId: incidentEvents.incidentId, type: incidentEvents.type, evidenceId: sql<string>`${incidentEvents.data}->>'evidenceId'` })
    .from(incidentEvents)
    .where(and(inArray(incidentEvents.type, ['evidence_added', 'evidence_disposed']), sql`${incidentEvents.data}->>'sha256' = ${sha256}`));
  const live = new Set<string>();
  for (const row of rows) {
    const key = `${row.incidentId}/${row.evidenceId}`;
    if (row.type === 'evidence_added') live.add(key);
  }
  for (const row of rows) if (row.type === 'evidence_disposed') live.delete(`${row.incidentId}/${row.evidenceId}`);
  return live.size > 0;
}
