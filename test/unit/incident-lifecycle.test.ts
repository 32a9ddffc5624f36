import { describe, expect, it } from 'vitest';
import type { AlertReceived } from '../../machines/alert.js';
import { IncidentLifecycle } from '../../workflows/incident.lifecycle.js';
import type { IncidentWorkflowInput } from '../../workflows/incident.messages.js';
import { pinned, shippedPlaybook } from '../support/playbooks.js';

const input: IncidentWorkflowInput = {
  incidentId: 'INC-T',
  playbook: pinned(shippedPlaybook('default')),
  opening: { title: 'Beacon', severity: 'medium', correlationKey: 'generic|rule:r|asset:h', openedBy: 'source:generic' },
};
const T0 = '2026-01-01T00:00:00.000Z';

function alert(id: string, severity: AlertReceived['severity']): AlertReceived {
  return { alertId: id, source: 'generic', sourceId: id, title: 'Beacon', severity, receivedAt: T0 };
}

function drain(incident: IncidentLifecycle) {
  const steps = [];
  for (let step = incident.nextPending(); step; step = incident.nextPending()) {
    steps.push(step);
    incident.markRecorded(step.seq);
  }
  return steps;
}

describe('incident lifecycle (workflow state)', () => {
  it('opens with an incident_opened step that enters the initial stage', () => {
    const incident = new IncidentLifecycle(input, T0);
    const [opened] = drain(incident);
    expect(opened).toMatchObject({ seq: 1, type: 'incident_opened', to: 'new', effects: [{ type: 'stageEntered', params: { stage: 'new' } }] });
    expect(opened!.projection).toMatchObject({ stage: 'new', open: true, correlationKey: 'generic|rule:r|asset:h', priority: 'P4' });
  });

  it('counts each alert once and raises severity and priority to the highest alert', () => {
    const incident = new IncidentLifecycle(input, T0);
    incident.receiveAlert(alert('a', 'low'), T0);
    incident.receiveAlert(alert('a', 'low'), T0);
    incident.receiveAlert(alert('b', 'critical'), T0);
    const steps = drain(incident);
    expect(steps.map((s) => s.type)).toEqual(['incident_opened', 'alert_received', 'alert_received', 'priority_changed']);
    expect(incident.view()).toMatchObject({ alertCount: 2, severity: 'critical', priority: 'P3' });
  });

  it('judges events: not allowed, procedure not met, allowed', () => {
    const incident = new IncidentLifecycle(input, T0);
    expect(incident.judge({ event: 'close', actor: 'a' })).toMatchObject({ allowed: false, reason: 'eventNotAllowed', details: { allowedEvents: ['acknowledge', 'hold'] } });
    incident.request({ event: 'acknowledge', actor: 'a' }, T0);
    expect(incident.judge({ event: 'close_duplicate', actor: 'a' })).toMatchObject({
      allowed: false,
      reason: 'procedureNotMet',
      details: { missing: { fields: ['resolution'], checklist: [] } },
    });
    expect(incident.judge({ event: 'close_duplicate', actor: 'a', fields: { resolution: 'dup of INC-1' } })).toEqual({ allowed: true, needsApproval: false });
  });

  it('carries its whole state across continue-as-new', () => {
    const first = new IncidentLifecycle(input, T0);
    first.receiveAlert(alert('a', 'high'), T0);
    first.request({ event: 'acknowledge', actor: 'a' }, T0);
    first.request({ event: 'hold', actor: 'a' }, T0);
    drain(first);
    const next = new IncidentLifecycle({ ...input, carried: first.carry() }, '2026-02-01T00:00:00.000Z');
    expect(next.hasPending()).toBe(false);
    expect(next.view()).toEqual(first.view());
    next.receiveAlert(alert('a', 'high'), T0);
    expect(next.hasPending(), 'an alert seen before continue-as-new is still known').toBe(false);
    next.request({ event: 'resume', actor: 'a' }, T0);
    expect(drain(next)[0]).toMatchObject({ seq: first.lastSeq + 1, from: 'on_hold', to: 'triage' });
  });

  it('records closedAt when a closed stage is entered and releases nothing else', () => {
    const incident = new IncidentLifecycle(input, T0);
    incident.request({ event: 'acknowledge', actor: 'a' }, T0);
    incident.request({ event: 'close_false_positive', actor: 'a', fields: { resolution: 'scanner' } }, '2026-01-01T01:00:00.000Z');
    const last = drain(incident).at(-1)!;
    expect(last.projection).toMatchObject({ stage: 'closed', open: false, closedAt: '2026-01-01T01:00:00.000Z' });
    expect(last.projection.milestones).toMatchObject({ resolved: '2026-01-01T01:00:00.000Z', closed: '2026-01-01T01:00:00.000Z' });
  });
});
