/** Every shipped playbook validates, can be walked from its initial stage to closed, and draws a valid diagram. */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { JSDOM } from 'jsdom';
import { initialTransition, transition } from 'xstate';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLifecycleMachine, type LifecycleEvent, type LifecycleSnapshot } from '../../machines/lifecycle.machine.js';
import { playbookDiagram } from '../../machines/playbook.diagram.js';
import type { PlaybookDocument } from '../../machines/playbook.types.js';
import { findTransition } from '../../machines/procedure.js';
import { shippedPlaybook } from '../support/playbooks.js';

const ids = readdirSync(fileURLToPath(new URL('../../playbooks', import.meta.url)))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''));

/** The full walk of each shipped playbook, from its initial stage to a closed stage. */
const WALKS: Record<string, Array<[string, string]>> = {
  default: [['acknowledge', 'triage'], ['start_analysis', 'analysis'], ['contain', 'containment'], ['eradicate', 'eradication'], ['recover', 'recovery'], ['resolve', 'review'], ['close', 'closed']],
  'managed-queue': [['start', 'in_progress'], ['close', 'closed']],
  quantitative: [['acknowledge', 'triage'], ['start_analysis', 'analysis'], ['contain', 'containment'], ['eradicate', 'eradication'], ['recover', 'recovery'], ['resolve', 'review'], ['close', 'closed']],
  'exposure-response': [['assess', 'assess'], ['remediate', 'remediate'], ['validate', 'validate'], ['close', 'closed']],
};

/** An event that meets its gate exactly: the fields, ticks and approvers it asks for. */
function meeting(playbook: PlaybookDocument, stage: string, type: string, approvers = ['ann', 'bob']): LifecycleEvent {
  const requires = findTransition(playbook, stage, type)?.requires;
  return {
    type,
    actor: 'requester',
    at: '2026-01-01T00:00:00.000Z',
    fields: Object.fromEntries((requires?.fields ?? []).map((f) => [f, `${f} given`])),
    checklist: requires?.checklist,
    approvedBy: requires?.approvals ? approvers.slice(0, requires.approvals.count) : undefined,
  };
}

let parseMermaid: (text: string) => Promise<unknown>;
beforeAll(async () => {
  // Mermaid's own parser, in a DOM of jsdom: the diagram must be what mermaid accepts.
  const dom = new JSDOM('');
  Object.assign(globalThis, { window: dom.window, document: dom.window.document });
  const { default: mermaid } = await import('mermaid');
  parseMermaid = (text) => mermaid.parse(text);
});

describe('shipped playbooks', () => {
  it('are the four maturity levels', () => {
    expect(ids.sort()).toEqual(['default', 'exposure-response', 'managed-queue', 'quantitative']);
  });

  for (const id of ids) {
    describe(id, () => {
      const playbook = shippedPlaybook(id);
      const machine = buildLifecycleMachine(playbook);

      it('walks from its initial stage to a closed stage, each gate met exactly', () => {
        let [snapshot]: [LifecycleSnapshot, unknown] = initialTransition(machine, { at: '2026-01-01T00:00:00.000Z' });
        for (const [event, stage] of WALKS[id]!) {
          const from = String(snapshot.value);
          const gated = findTransition(playbook, from, event)?.requires;
          if (gated?.fields?.length || gated?.checklist?.length || gated?.approvals) {
            expect(snapshot.can({ type: event, actor: 'x', at: '' }), `${event} in ${from} must be gated`).toBe(false);
          }
          [snapshot] = transition(machine, snapshot, meeting(playbook, from, event));
          expect(snapshot.value, `${event} from ${from}`).toBe(stage);
        }
        expect(playbook.stages[String(snapshot.value)]!.closed).toBe(true);
        expect(snapshot.context.milestones.closed).toBeDefined();
      });

      it('draws a Mermaid stateDiagram-v2 that Mermaid parses, with gates on the edges', async () => {
        const diagram = playbookDiagram(playbook);
        expect(diagram.startsWith('stateDiagram-v2\n')).toBe(true);
        await expect(parseMermaid(diagram)).resolves.toBeTruthy();
        for (const [stage, definition] of Object.entries(playbook.stages)) {
          for (const [event, t] of Object.entries(definition.on ?? {})) {
            const head = `  ${stage.replace(/-/g, '_')} --> ${t.to.replace(/-/g, '_')} : ${event}`;
            const edge = diagram.split('\n').find((line) => line === head || line.startsWith(`${head}<br/>`));
            expect(edge, `edge ${stage} --${event}--> ${t.to}`).toBeDefined();
            for (const field of t.requires?.fields ?? []) expect(edge).toContain(field);
            if (t.requires?.approvals) expect(edge).toContain(`approvals ${t.requires.approvals.count} × ${t.requires.approvals.roles.join('/')}`);
          }
        }
      });
    });
  }

  it('managed-queue fixes the priority', () => {
    expect(shippedPlaybook('managed-queue').priority).toEqual({ fixed: 'P3' });
  });

  it('quantitative gathers context on every stage but holds and closed ones', () => {
    const playbook = shippedPlaybook('quantitative');
    for (const [stage, definition] of Object.entries(playbook.stages)) {
      if (!definition.closed && !definition.returnOn) expect(definition.enrich?.length, stage).toBeGreaterThan(0);
    }
  });

  it('quantitative needs one approver to contain and two to close', () => {
    const playbook = shippedPlaybook('quantitative');
    expect(findTransition(playbook, 'analysis', 'contain')?.requires?.approvals).toEqual({ count: 1, roles: ['approver'] });
    expect(findTransition(playbook, 'review', 'close')?.requires?.approvals).toEqual({ count: 2, roles: ['approver'] });
  });
});
