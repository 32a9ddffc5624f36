import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, canonicalJson, eventHash, verifyChain, type StoredEvent } from '../../db/ledger.js';

function chain(n: number): StoredEvent[] {
  const events: StoredEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq += 1) {
    const event = { incidentId: 'INC-1', seq, at: `2026-01-01T00:00:0${seq}.000Z`, type: 'transitioned', actor: 'a', from: 'x', to: 'y', data: { n: seq } };
    const hash = eventHash(prevHash, event);
    events.push({ ...event, prevHash, hash });
    prevHash = hash;
  }
  return events;
}

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null }, u: undefined })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
  });

  it('is independent of key order', () => {
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });

  it('hashes prevHash followed by the canonical event (documented formula)', async () => {
    const { createHash } = await import('node:crypto');
    const event = { incidentId: 'I', seq: 1, at: '2026-01-01T00:00:00.000Z', type: 't', actor: 'a', from: null, to: 'new', data: {} };
    const expected = createHash('sha256')
      .update(GENESIS_HASH + '{"actor":"a","at":"2026-01-01T00:00:00.000Z","data":{},"from":null,"incidentId":"I","seq":1,"to":"new","type":"t"}')
      .digest('hex');
    expect(eventHash(GENESIS_HASH, event)).toBe(expected);
  });
});

describe('chain verification', () => {
  it('accepts an untouched chain', () => {
    expect(verifyChain(chain(4), { lastSeq: 4, lastHash: chain(4)[3]!.hash })).toEqual({ valid: true, events: 4 });
  });

  it('finds a changed row', () => {
    const events = chain(4);
    events[2] = { ...events[2]!, actor: 'mallory' };
    expect(verifyChain(events)).toMatchObject({ valid: false, brokenAt: 3 });
  });

  it('finds a deleted row', () => {
    const events = chain(4);
    events.splice(1, 1);
    expect(verifyChain(events)).toMatchObject({ valid: false, brokenAt: 2 });
  });

  it('finds an inserted row, even with a recomputed hash', () => {
    const events = chain(3);
    const forged = { ...events[1]!, seq: 3, data: { forged: true } };
    forged.hash = eventHash(forged.prevHash, forged);
    events.splice(2, 0, forged);
    expect(verifyChain(events.map((e, i) => ({ ...e, seq: i + 1 })))).toMatchObject({ valid: false, brokenAt: 3 });
  });

  it('finds a truncated tail against the recorded last seq', () => {
    const events = chain(4);
    expect(verifyChain(events.slice(0, 3), { lastSeq: 4, lastHash: events[3]!.hash })).toMatchObject({ valid: false, brokenAt: 4 });
  });
});
