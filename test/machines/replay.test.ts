import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../machines/incident.types.js';
import { replayLifecycle } from '../../machines/replay.js';
import { shippedPlaybook } from '../support/playbooks.js';

const playbook = shippedPlaybook('default');
let seq = 0;
const ev = (type: string, from: string | null, to: string | null, data: Record<string, unknown> = {}): AuditEvent => ({
  seq: ++seq,
  at: `2026-01-01T00:00:${String(seq).padStart(2, '0')}.000Z`,
  type,
  actor: 'alice',
  from,
  to,
  data,
});

function log(): AuditEvent[] {
  seq = 0;
  return [
    ev('incident_opened', null, 'new'),
    ev('transitioned', 'new', 'triage', { event: 'acknowledge' }),
    ev('context_gathered', null, null, { kind: 'asset' }),
    ev('transitioned', 'triage', 'closed', { event: 'close_false_positive', fields: { resolution: 'scanner' } }),
  ];
}

describe('machine replay over an audit log', () => {
  it('accepts a consistent log and lists its steps', () => {
    const replay = replayLifecycle(playbook, log(), 'closed');
    expect(replay).toMatchObject({ machineConsistent: true, mismatches: [], finalStage: 'closed' });
    expect(replay.steps.map((s) => [s.seq, s.event, s.from, s.to, s.gate])).toEqual([
      [2, 'acknowledge', 'new', 'triage', 'met'],
      [4, 'close_false_positive', 'triage', 'closed', 'met'],
    ]);
  });

  it('names a transition whose gate was not met', () => {
    const events = log();
    events[3]!.data = { event: 'close_false_positive' };
    const replay = replayLifecycle(playbook, events, 'closed');
    expect(replay.machineConsistent).toBe(false);
    expect(replay.mismatches[0]).toMatchObject({ seq: 4, problem: expect.stringContaining('gate of close_false_positive was not met') });
  });

  it('names a transition not allowed, a wrong target, and a final stage that differs', () => {
    const events = log();
    events[1]!.data = { event: 'contain' };
    expect(replayLifecycle(playbook, events).mismatches[0]).toMatchObject({ seq: 2, problem: 'contain is not allowed in new' });
    const wrong = log();
    wrong[1]!.to = 'analysis';
    expect(replayLifecycle(playbook, wrong).mismatches).toContainEqual({ seq: 2, problem: 'recorded to analysis, but the machine went to triage' });
    expect(replayLifecycle(playbook, log(), 'review').mismatches).toContainEqual({ seq: 4, problem: 'the incident is in review, the machine ends in closed' });
  });
});
