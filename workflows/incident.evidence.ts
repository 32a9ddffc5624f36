/**
 * Evidence of an incident inside the workflow: which items it holds, who has custody of each and
 * whether it was disposed of. The bytes never pass through Temporal: the API stores them and
 * hands the workflow their hash. Every upload, download, transfer, disposal and failed integrity
 * check is a step of the ledger, so an item's chain of custody is a query on it. Plain and deterministic.
 */
import type { JsonValue } from '../machines/procedure.js';
import { requesterData, type StepDraft } from './incident.knowledge.js';

export interface EvidenceItem {
  sha256: string;
  custodian: string;
  disposed: boolean;
}

interface Requester {
  actor: string;
  actorName?: string;
  normalised?: string[];
}

export interface EvidenceDescription {
  name: string;
  mediaType: string;
  sha256: string;
  size: number;
  description?: string;
  /** Evidence held elsewhere: where; absent for bytes irflow stores. */
  uri?: string;
}

export type EvidenceRequest = Requester & { evidenceId: string } & (
    | ({ op: 'add' } & EvidenceDescription)
    | { op: 'download'; reason?: string }
    | { op: 'transfer'; to: string; reason: string }
    | { op: 'dispose'; reason: string }
    | { op: 'integrityFailed'; actual: string | null }
  );

export type EvidenceRefusal = 'evidenceNotFound' | 'evidenceExists' | 'evidenceDisposed' | 'alreadyInCustody';
export type EvidenceVerdict = { ok: true } | { ok: false; reason: EvidenceRefusal; message: string };

/** What the incident keeps of its evidence across continue-as-new. */
export type EvidenceState = Array<[string, EvidenceItem]>;

const OK: EvidenceVerdict = { ok: true };

const who = requesterData;

export class EvidenceLocker {
  private readonly items: Map<string, EvidenceItem>;

  constructor(carried: EvidenceState = []) {
    this.items = new Map(carried.map(([id, item]) => [id, { ...item }]));
  }

  judge(request: EvidenceRequest): EvidenceVerdict {
    const item = this.items.get(request.evidenceId);
    if (request.op === 'add') return item ? { ok: false, reason: 'evidenceExists', message: `evidence ${request.evidenceId} exists` } : OK;
    if (!item) return { ok: false, reason: 'evidenceNotFound', message: `the incident has no evidence ${request.evidenceId}` };
    // A failed integrity check is recorded even after disposal: it is a finding, not a use.
    if (item.disposed && request.op !== 'integrityFailed') return { ok: false, reason: 'evidenceDisposed', message: `evidence ${request.evidenceId} was disposed of` };
    if (request.op === 'transfer' && request.to === item.custodian) return { ok: false, reason: 'alreadyInCustody', message: `evidence ${request.evidenceId} is in the custody of ${request.to} already` };
    return OK;
  }

  /** Records a request the validator accepted. */
  record(request: EvidenceRequest): StepDraft {
    const { evidenceId, actor } = request;
    const base = { evidenceId, ...who(request) };
    if (request.op === 'add') {
      const { name, mediaType, sha256, size, description, uri } = request;
      this.items.set(evidenceId, { sha256, custodian: actor, disposed: false });
      const held: Record<string, JsonValue> = uri ? { storage: 'reference', uri } : { storage: 'irflow' };
      return { type: 'evidence_added', actor, data: { ...base, name, mediaType, sha256, size, custodian: actor, ...held, ...(description ? { description } : {}) } };
    }
    const item = this.items.get(evidenceId)!;
    switch (request.op) {
      case 'download':
        return { type: 'evidence_downloaded', actor, data: { ...base, sha256: item.sha256, custodian: item.custodian, ...(request.reason ? { reason: request.reason } : {}) } };
      case 'transfer': {
        const from = item.custodian;
        item.custodian = request.to;
        return { type: 'evidence_transferred', actor, data: { ...base, from, to: request.to, reason: request.reason } };
      }
      case 'dispose':
        item.disposed = true;
        return { type: 'evidence_disposed', actor, data: { ...base, sha256: item.sha256, custodian: item.custodian, reason: request.reason } };
      case 'integrityFailed':
        return { type: 'evidence_integrity_failed', actor, data: { ...base, expected: item.sha256, actual: request.actual } };
    }
  }

  isEmpty(): boolean {
    return this.items.size === 0;
  }

  carry(): EvidenceState {
    return [...this.items].map(([id, item]) => [id, { ...item }]);
  }
}
