/** The ledger against reads of the workflow history taken before and after it (db/ledger-history.ts). */
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, eventHash, type StoredEvent } from '../../db/ledger.js';
import { crossCheckReads, type RecordedHash } from '../../db/ledger-history.js';

function chain(n: number): StoredEvent[] {
  const events: StoredEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq += 1) {
    const event = { incidentId: 'INC-1', seq, at: '2026-01-01T00:00:00.000Z', type: 'work_logged', actor: 'a', from: null, to: null, data: { n: seq } };
    const hash = eventHash(prevHash, event);
    events.push({ ...event, prevHash, hash });
    prevHash = hash;
  }
  return events;
}

const recorded = (events: StoredEvent[]): RecordedHash[] => events.map(({ seq, hash }) => ({ seq, hash }));

describe('the ledger against the history read before and after it', () => {
  const worked = chain(8);

  it('is no break when steps were recorded after the ledger was read', () => {
    // History read at 5 steps, the ledger at 6, the history again at 8.
    expect(crossCheckReads(worked.slice(0, 6), recorded(worked.slice(0, 5)), recorded(worked))).toEqual({ consistent: true, recorded: 6 });
  });

  it('is no break when the first history read already held every step the ledger does', () => {
    expect(crossCheckReads(worked.slice(0, 6), recorded(worked.slice(0, 6)), recorded(worked))).toMatchObject({ consistent: true });
  });

  it('names a step the ledger holds and the history never recorded', () => {
    expect(crossCheckReads(worked.slice(0, 6), recorded(worked.slice(0, 5)), recorded(worked.slice(0, 5)))).toMatchObject({
      consistent: false,
      seq: 6,
      historyHash: null,
      reason: 'seq 6 is in the ledger, but the workflow never recorded it',
    });
  });

  it('finds a truncated tail: the first history read holds steps the ledger read after it lacks', () => {
    expect(crossCheckReads(worked.slice(0, 6), recorded(worked.slice(0, 7)), recorded(worked))).toMatchObject({
      consistent: false,
      seq: 7,
      ledgerHash: null,
      reason: 'the workflow recorded seq 7, which the ledger lacks',
    });
  });

  it('finds a changed step below the ledger read in the later history read', () => {
    const forged = worked.slice(0, 6).map((event) => (event.seq === 3 ? { ...event, hash: 'f'.repeat(64) } : event));
    expect(crossCheckReads(forged, recorded(worked.slice(0, 2)), recorded(worked))).toMatchObject({ consistent: false, seq: 3 });
  });
});
