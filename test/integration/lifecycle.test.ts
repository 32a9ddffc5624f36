/** An alert becomes an incident and is walked to closed through the HTTP API, on real Temporal and Postgres. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELDS_FOR, FULL_WALK, alertBody, postAlert, transition, walkTo, withoutLookups } from '../support/incidents.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let ingest: string;
let analyst: string;
let auditor: string;

beforeAll(async () => {
  stack = await startStack();
  ingest = await stack.token(['ingest'], 'siem');
  analyst = await stack.token(['analyst'], 'alice');
  auditor = await stack.token(['auditor'], 'audrey');
});
afterAll(async () => stack?.close());

describe('incident lifecycle through the API', () => {
  it('walks an alert-born incident from new to closed, every answer the same view as GET', async () => {
    const accepted = await postAlert(stack, ingest, alertBody({ severity: 'critical' }));
    const opened = await stack.call('GET', `/v1/incidents/${accepted.incidentId}`, analyst);
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({
      id: accepted.incidentId,
      stage: 'new',
      severity: 'critical',
      priority: 'P3',
      playbook: { id: 'default', version: 1 },
      alertCount: 1,
      allowedEvents: ['acknowledge', 'hold'],
      fields: {},
    });

    const expectedStages = ['triage', 'analysis', 'containment', 'eradication', 'recovery', 'review', 'closed'];
    for (const [i, event] of FULL_WALK.entries()) {
      const moved = await transition(stack, analyst, accepted.incidentId, event, FIELDS_FOR[event] ? { fields: FIELDS_FOR[event] } : {});
      expect(moved.status, `${event}: ${JSON.stringify(moved.body)}`).toBe(200);
      expect(moved.body.stage).toBe(expectedStages[i]);
      const read = await stack.call('GET', `/v1/incidents/${accepted.incidentId}`, analyst);
      // Context lookups run beside the lifecycle and may record a step in between: updatedAt may move.
      // GET alone adds the cross-incident observables (read from the index, not the workflow).
      const { updatedAt: _read, observables: _observables, ...readView } = read.body;
      const { updatedAt: _moved, ...movedView } = moved.body;
      expect(readView, `GET after ${event} must show what the transition answered`).toEqual(movedView);
    }
    const closed = await stack.call('GET', `/v1/incidents/${accepted.incidentId}`, auditor);
    expect(closed.body.allowedEvents).toEqual(['reopen']);
    expect(closed.body.fields).toEqual({ ...FIELDS_FOR.resolve, ...FIELDS_FOR.close });

    const history = await stack.call('GET', `/v1/incidents/${accepted.incidentId}/history`, analyst);
    expect(history.status).toBe(200);
    const events = history.body.events as Array<{ seq: number; type: string; actor: string; from: string; to: string }>;
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const lifecycle = events.filter((e) => e.type !== 'context_gathered');
    expect(lifecycle.map((e) => e.type)).toEqual(['incident_opened', 'alert_received', ...FULL_WALK.map(() => 'transitioned')]);
    const lookups = events.filter((e) => e.type === 'context_gathered');
    expect(lookups.length, 'five kinds on entering new, two on entering analysis').toBe(7);
    expect(events.filter((e) => e.type === 'transitioned').map((e) => [e.from, e.to, e.actor])).toEqual(
      ['new', ...expectedStages.slice(0, -1)].map((from, i) => [from, expectedStages[i], 'alice']),
    );

    const verified = await stack.call('GET', `/v1/incidents/${accepted.incidentId}/history/verify`, auditor);
    expect(verified.body).toEqual({ valid: true, events: events.length, signature: { valid: true, keyId: stack.keyRing.signer!.id }, history: { consistent: true, recorded: events.length } });

    const timings = await stack.database.db.query.stageTimings.findMany({ where: (t, { eq }) => eq(t.incidentId, accepted.incidentId) });
    expect(timings.map((t) => t.stage)).toEqual(['new', ...expectedStages]);
    expect(timings.filter((t) => !t.leftAt).map((t) => t.stage), 'only the current stage is still open').toEqual(['closed']);
  });

  it('answers 409 with the allowed events for an event the stage does not allow', async () => {
    const { incidentId } = await postAlert(stack, ingest, alertBody());
    const response = await transition(stack, analyst, incidentId, 'contain');
    expect(response.status).toBe(409);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.body).toMatchObject({ status: 409, event: 'contain', stage: 'new', allowedEvents: ['acknowledge', 'hold'] });
    const unknown = await transition(stack, analyst, incidentId, 'teleport');
    expect(unknown.status).toBe(409);
  });

  it('answers 422 listing what the procedure misses, and records nothing', async () => {
    const { incidentId } = await postAlert(stack, ingest, alertBody());
    await walkTo(stack, analyst, incidentId, ['acknowledge']);
    const before = await stack.call('GET', `/v1/incidents/${incidentId}/history`, analyst);
    const response = await transition(stack, analyst, incidentId, 'close_false_positive', { fields: { resolution: '' } });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ event: 'close_false_positive', stage: 'triage', missing: { fields: ['resolution'], checklist: [] } });
    const after = await stack.call('GET', `/v1/incidents/${incidentId}/history`, analyst);
    expect(withoutLookups(after.body.events)).toHaveLength(withoutLookups(before.body.events).length);
    expect((await stack.call('GET', `/v1/incidents/${incidentId}`, analyst)).body.stage).toBe('triage');
  });

  it('holds and resumes to the stage it left', async () => {
    const { incidentId } = await postAlert(stack, ingest, alertBody());
    await walkTo(stack, analyst, incidentId, ['acknowledge', 'start_analysis']);
    expect((await walkTo(stack, analyst, incidentId, ['hold'])).stage).toBe('on_hold');
    expect((await walkTo(stack, analyst, incidentId, ['resume'])).stage).toBe('analysis');
  });

  it('reports an incident found by a person, once per idempotency key', async () => {
    const body = { title: 'Laptop stolen from car', severity: 'medium', category: 'lost-device' };
    const first = await stack.call('POST', '/v1/incidents', analyst, body, { 'idempotency-key': 'report-1' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ title: body.title, stage: 'new', severity: 'medium', alertCount: 0, playbook: { id: 'default' } });
    expect(first.headers.location).toBe(`/v1/incidents/${first.body.id}`);
    const again = await stack.call('POST', '/v1/incidents', analyst, body, { 'idempotency-key': 'report-1' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const unknownPlaybook = await stack.call('POST', '/v1/incidents', analyst, { ...body, playbook: 'nope' });
    expect(unknownPlaybook.status).toBe(422);
  });

  it('logs work on an incident as audit events and sums it', async () => {
    const { incidentId } = await postAlert(stack, ingest, alertBody());
    const first = await stack.call('POST', `/v1/incidents/${incidentId}/work-log`, analyst, { minutes: 30, note: 'triage call' });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const again = await stack.call('POST', `/v1/incidents/${incidentId}/work-log`, analyst, { minutes: 15 }, { 'idempotency-key': 'w-2' });
    expect(again.body.effortMinutes).toBe(45);
    const retried = await stack.call('POST', `/v1/incidents/${incidentId}/work-log`, analyst, { minutes: 15 }, { 'idempotency-key': 'w-2' });
    expect(retried.body.effortMinutes, 'a retried request with its idempotency key counts once').toBe(45);
    const logged = (await stack.call('GET', `/v1/incidents/${incidentId}/history`, analyst)).body.events.filter((e: { type: string }) => e.type === 'work_logged');
    expect(logged.map((e: { actor: string; data: { minutes: number } }) => [e.actor, e.data.minutes])).toEqual([['alice', 30], ['alice', 15]]);
    expect((await stack.call('POST', `/v1/incidents/${incidentId}/work-log`, analyst, { minutes: 0 })).status).toBe(400);
    expect((await stack.call('POST', `/v1/incidents/${incidentId}/work-log`, auditor, { minutes: 5 })).status).toBe(403);
  });

  it('lists incidents newest first, filtered, with a cursor', async () => {
    for (let i = 0; i < 3; i += 1) await stack.call('POST', '/v1/incidents', analyst, { title: `Listed ${i}`, severity: 'low' });
    const page1 = await stack.call('GET', '/v1/incidents?severity=low&limit=2', analyst);
    expect(page1.status).toBe(200);
    expect(page1.body.incidents).toHaveLength(2);
    expect(page1.body.nextCursor).toBeTruthy();
    const page2 = await stack.call('GET', `/v1/incidents?severity=low&limit=2&cursor=${page1.body.nextCursor}`, analyst);
    const titles = [...page1.body.incidents, ...page2.body.incidents].map((i: { title: string }) => i.title);
    expect(titles.slice(0, 3)).toEqual(['Listed 2', 'Listed 1', 'Listed 0']);
    expect((await stack.call('GET', '/v1/incidents?cursor=garbage', analyst)).status).toBe(400);
  });
});
