/**
 * The ledger against the Temporal history. Every step the workflow records goes through the
 * persistence activity, and the activity's answer - the hash of each step, in seq order - is
 * part of the workflow's history (a local activity's marker, or an activity's completion in runs
 * from before steps were recorded locally). So the history holds, beyond the reach of anyone who
 * can only write the database, which seqs were recorded with which hashes; comparing it with the
 * ledger finds an event the workflow never recorded, one it recorded that the ledger lacks, and
 * one whose content changed, across every run of the incident (continue-as-new).
 */
import type { StoredEvent } from './ledger.js';

export interface RecordedHash {
  seq: number;
  hash: string;
}

interface Payload {
  metadata?: Record<string, string>;
  data?: string;
}

interface HistoryEvent {
  eventId?: string;
  eventType?: string;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string }; input?: { payloads?: Payload[] } };
  activityTaskCompletedEventAttributes?: { scheduledEventId?: string; result?: { payloads?: Payload[] } };
  markerRecordedEventAttributes?: { markerName?: string; details?: Record<string, { payloads?: Payload[] }> };
}

/** A JSON payload's value (Temporal's json/plain encoding); undefined for anything else. */
function decoded(payload: Payload | undefined): unknown {
  if (!payload?.data) return undefined;
  const encoding = payload.metadata?.encoding ? Buffer.from(payload.metadata.encoding, 'base64').toString() : 'json/plain';
  if (encoding !== 'json/plain') return undefined;
  try {
    return JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** One run's recordings, in the order the workflow made them; `next` is the seq after the last known. */
function runRecordings(history: { events?: HistoryEvent[] }, next: number): RecordedHash[] {
  const recorded: RecordedHash[] = [];
  const scheduledSeq = new Map<string, number>();
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'recordIncidentStep') {
      const step = decoded(scheduled.input?.payloads?.[0]) as { seq?: number } | undefined;
      if (typeof step?.seq === 'number' && event.eventId) scheduledSeq.set(event.eventId, step.seq);
    }
    const completed = event.activityTaskCompletedEventAttributes;
    const completedSeq = completed?.scheduledEventId ? scheduledSeq.get(completed.scheduledEventId) : undefined;
    if (completedSeq !== undefined) {
      const result = decoded(completed?.result?.payloads?.[0]) as { hash?: string } | undefined;
      if (typeof result?.hash === 'string') recorded.push({ seq: completedSeq, hash: result.hash });
    }
    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName !== LOCAL_ACTIVITY_MARKER) continue;
    const data = decoded(marker.details?.data?.payloads?.[0]) as { activity_type?: string; activityType?: string } | undefined;
    if ((data?.activity_type ?? data?.activityType) !== 'recordIncidentSteps') continue;
    const result = decoded(marker.details?.result?.payloads?.[0]) as { hashes?: unknown; fromSeq?: number } | undefined;
    if (!Array.isArray(result?.hashes)) continue;
    // Answers since signing say where they start; earlier ones follow the last seq known.
    const first = typeof result.fromSeq === 'number' ? result.fromSeq : (recorded.at(-1)?.seq ?? next - 1) + 1;
    result.hashes.forEach((hash, index) => typeof hash === 'string' && recorded.push({ seq: first + index, hash }));
  }
  return recorded;
}

/** Every seq the workflow recorded with its hash, over its runs (oldest first); a later recording of a seq wins. */
export function recordedHashes(runs: Array<{ events?: HistoryEvent[] }>): RecordedHash[] {
  const bySeq = new Map<number, string>();
  let next = 1;
  for (const run of runs) {
    for (const { seq, hash } of runRecordings(run, next)) {
      bySeq.set(seq, hash);
      next = Math.max(next, seq + 1);
    }
  }
  return [...bySeq].sort(([a], [b]) => a - b).map(([seq, hash]) => ({ seq, hash }));
}

export type HistoryCheck =
  | { consistent: true; recorded: number }
  | { consistent: false; recorded: number; seq: number; reason: string; ledgerHash: string | null; historyHash: string | null };

/** The first seq where the ledger and what the workflow recorded disagree. */
export function crossCheck(ledger: StoredEvent[], recorded: RecordedHash[]): HistoryCheck {
  const inLedger = new Map(ledger.map((event) => [event.seq, event.hash]));
  const inHistory = new Map(recorded.map((r) => [r.seq, r.hash]));
  const seqs = [...new Set([...inLedger.keys(), ...inHistory.keys()])].sort((a, b) => a - b);
  for (const seq of seqs) {
    const ledgerHash = inLedger.get(seq) ?? null;
    const historyHash = inHistory.get(seq) ?? null;
    if (ledgerHash === historyHash) continue;
    const reason =
      historyHash === null
        ? `seq ${seq} is in the ledger, but the workflow never recorded it`
        : ledgerHash === null
          ? `the workflow recorded seq ${seq}, which the ledger lacks`
          : `seq ${seq} in the ledger is not what the workflow recorded (its hash differs)`;
    return { consistent: false, recorded: recorded.length, seq, reason, ledgerHash, historyHash };
  }
  return { consistent: true, recorded: recorded.length };
}

/**
 * The ledger against two reads of the history: `before`, read before the ledger, and `latest`,
 * read after it. A step is in the ledger before its hash is in the history, so every seq of the
 * first read must be in the ledger - one it lacks is a real loss, however busy the incident. A
 * seq past both the ledger read and the first history read was recorded after the ledger was
 * read, and is not compared.
 */
export function crossCheckReads(ledger: StoredEvent[], before: RecordedHash[], latest: RecordedHash[]): HistoryCheck {
  const compared = Math.max(ledger.at(-1)?.seq ?? 0, before.at(-1)?.seq ?? 0);
  return crossCheck(ledger, latest.filter((step) => step.seq <= compared));
}
