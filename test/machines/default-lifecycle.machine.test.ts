import { initialTransition, transition } from 'xstate';
import { describe, expect, it } from 'vitest';
import { buildLifecycleMachine, effectsOf, type LifecycleEvent, type LifecycleSnapshot } from '../../machines/lifecycle.machine.js';
import { allowedEvents } from '../../machines/procedure.js';
import { shippedPlaybook } from '../support/playbooks.js';

const playbook = shippedPlaybook('default');
const machine = buildLifecycleMachine(playbook);
const AT = '2026-01-01T00:00:00.000Z';

/** Everything a gate of the default playbook can ask for. */
const ALL_FIELDS = { resolution: 'benign scanner', rootCause: 'phished credentials', lessonsLearned: 'enforce MFA' };
const EVENTS = [
  'acknowledge', 'start_analysis', 'close_false_positive', 'close_duplicate', 'contain', 'eradicate',
  'recover', 'resolve', 'close', 'hold', 'resume', 'reopen',
];

function ev(type: string, extra: Partial<LifecycleEvent> = {}): LifecycleEvent {
  return { type, actor: 'analyst-1', at: AT, ...extra };
}

function walk(...events: Array<string | LifecycleEvent>): LifecycleSnapshot {
  let [snapshot] = initialTransition(machine, { at: AT });
  for (const e of events) {
    const event = typeof e === 'string' ? ev(e, { fields: ALL_FIELDS }) : e;
    const [next] = transition(machine, snapshot, event);
    expect(next, `event ${event.type} should move the incident from ${String(snapshot.value)}`).not.toBe(snapshot);
    snapshot = next;
  }
  return snapshot;
}

const PATHS: Record<string, string[]> = {
  new: [],
  triage: ['acknowledge'],
  analysis: ['acknowledge', 'start_analysis'],
  containment: ['acknowledge', 'start_analysis', 'contain'],
  eradication: ['acknowledge', 'start_analysis', 'contain', 'eradicate'],
  recovery: ['acknowledge', 'start_analysis', 'contain', 'eradicate', 'recover'],
  review: ['acknowledge', 'start_analysis', 'contain', 'eradicate', 'recover', 'resolve'],
  closed: ['acknowledge', 'start_analysis', 'contain', 'eradicate', 'recover', 'resolve', 'close'],
  on_hold: ['acknowledge', 'hold'],
};

const ALLOWED: Record<string, Record<string, string>> = {
  new: { acknowledge: 'triage', hold: 'on_hold' },
  triage: { start_analysis: 'analysis', close_false_positive: 'closed', close_duplicate: 'closed', hold: 'on_hold' },
  analysis: { contain: 'containment', hold: 'on_hold' },
  containment: { eradicate: 'eradication', hold: 'on_hold' },
  eradication: { recover: 'recovery', hold: 'on_hold' },
  recovery: { resolve: 'review', hold: 'on_hold' },
  review: { close: 'closed', hold: 'on_hold' },
  closed: { reopen: 'analysis' },
  on_hold: { resume: 'triage' },
};

describe('default lifecycle: every event in every stage', () => {
  for (const [stage, allowed] of Object.entries(ALLOWED)) {
    describe(`in ${stage}`, () => {
      const snapshot = walk(...PATHS[stage]!);

      it('is the stage its path leads to', () => expect(snapshot.value).toBe(stage));

      it('lists exactly the allowed events', () => {
        expect(new Set(allowedEvents(playbook, stage))).toEqual(new Set(Object.keys(allowed)));
      });

      for (const event of EVENTS) {
        const target = allowed[event];
        if (target) {
          it(`allows ${event} → ${target}`, () => {
            const [next] = transition(machine, snapshot, ev(event, { fields: ALL_FIELDS }));
            expect(next.value).toBe(target);
          });
        } else {
          it(`forbids ${event}`, () => {
            expect(snapshot.can(ev(event, { fields: ALL_FIELDS })), `${event} must not be possible in ${stage}`).toBe(false);
          });
        }
      }
    });
  }
});

describe('default lifecycle: gates', () => {
  const gated: Array<[string, string, string]> = [
    ['triage', 'close_false_positive', 'resolution'],
    ['triage', 'close_duplicate', 'resolution'],
    ['recovery', 'resolve', 'rootCause'],
    ['review', 'close', 'lessonsLearned'],
  ];
  for (const [stage, event, field] of gated) {
    it(`${event} in ${stage} needs ${field}`, () => {
      // Reach the stage giving each earlier gate only what it needs, so `field` is not yet known.
      const snapshot = walk(...PATHS[stage]!.map((e) => ev(e, e === 'resolve' ? { fields: { rootCause: 'known' } } : {})));
      expect(snapshot.can(ev(event))).toBe(false);
      expect(snapshot.can(ev(event, { fields: { [field]: '   ' } })), 'blank text is not a value').toBe(false);
      expect(snapshot.can(ev(event, { fields: { [field]: 'given' } }))).toBe(true);
    });
  }

  it('keeps a field once given, so a later gate needing it is met', () => {
    const snapshot = walk(
      ...PATHS.recovery!.map((e) => ev(e)),
      ev('resolve', { fields: { rootCause: 'weak password', lessonsLearned: 'rotate keys' } }),
    );
    expect(snapshot.context.fields).toEqual({ rootCause: 'weak password', lessonsLearned: 'rotate keys' });
    expect(snapshot.can(ev('close'))).toBe(true);
  });

  it('ungated events need nothing', () => {
    expect(walk().can(ev('acknowledge'))).toBe(true);
  });
});

describe('default lifecycle: hold and resume', () => {
  for (const stage of ['new', 'triage', 'analysis', 'containment', 'eradication', 'recovery', 'review']) {
    it(`returns to ${stage} after a hold there`, () => {
      const held = walk(...PATHS[stage]!, 'hold');
      expect(held.value).toBe('on_hold');
      expect(held.context.heldFrom).toBe(stage);
      const [resumed] = transition(machine, held, ev('resume'));
      expect(resumed.value).toBe(stage);
      expect(resumed.context.heldFrom).toBeNull();
    });
  }

  it('cannot hold a closed incident, nor hold twice', () => {
    expect(walk(...PATHS.closed!).can(ev('hold'))).toBe(false);
    expect(walk(...PATHS.on_hold!).can(ev('hold'))).toBe(false);
  });
});

describe('default lifecycle: milestones and effects', () => {
  it('marks each milestone once, at the time of the event that reached it', () => {
    let [snapshot] = initialTransition(machine, { at: '2026-01-01T00:00:00.000Z' });
    const times: Record<string, string> = {};
    PATHS.closed!.forEach((event, i) => {
      const at = `2026-01-01T0${i + 1}:00:00.000Z`;
      times[event] = at;
      [snapshot] = transition(machine, snapshot, ev(event, { at, fields: ALL_FIELDS }));
    });
    expect(snapshot.context.milestones).toEqual({
      acknowledged: times.acknowledge,
      contained: times.eradicate,
      eradicated: times.recover,
      recovered: times.resolve,
      resolved: times.resolve,
      closed: times.close,
    });
  });

  it('names the stage effects as data: left, then entered', () => {
    const [snapshot, initial] = initialTransition(machine, { at: AT });
    expect(effectsOf(initial)).toEqual([{ type: 'stageEntered', params: { stage: 'new', marks: [], closed: false } }]);
    const [, actions] = transition(machine, snapshot, ev('acknowledge'));
    expect(effectsOf(actions)).toEqual([
      { type: 'stageLeft', params: { stage: 'new' } },
      { type: 'stageEntered', params: { stage: 'triage', marks: ['acknowledged'], closed: false } },
    ]);
  });

  it('reopen leads back to analysis and keeps the fields', () => {
    const reopened = walk(...PATHS.closed!, 'reopen');
    expect(reopened.value).toBe('analysis');
    expect(reopened.context.fields).toMatchObject(ALL_FIELDS);
  });
});
