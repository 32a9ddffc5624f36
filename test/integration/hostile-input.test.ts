/**
 * Hostile strings into every route that takes text, then the incident walked to closed: what the
 * API accepts is stored (NUL and lone surrogates as U+FFFD, recorded where they were), nothing
 * freezes, and later alerts with the same key still reach the incident.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postAlert } from '../support/incidents.js';
import { startStack, type Stack } from '../support/stack.js';

const FFFD = '\uFFFD';
/** Text a database refuses or mangles, and text that is only odd. */
const HOSTILE = ['x\u0000y', 'x\ud800y', 'x\udc00y', '\ude00\ud83d', '\ufeff\u202e\u2028', "'; drop table alerts; --", '=cmd|" /C calc"!A0', '{{7*7}}${7*7}', 'e\u0301\u0301\u0301', '🚨'.repeat(40)];
const storable = (text: string) => text.replace(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, FFFD);
const hostile = (i: number) => HOSTILE[i % HOSTILE.length]!;

const HOSTILE_PLAYBOOK = {
  id: 'hostile-drill',
  name: `Drill ${hostile(0)}`,
  description: hostile(1),
  match: { order: 1, ruleIds: ['hostile-*'] },
  initial: 'triage',
  stages: {
    triage: { on: { escalate: { to: 'containment', requires: { fields: ['summary'], checklist: ['scope-checked'] } } } },
    containment: { on: { contain: { to: 'closed', requires: { fields: ['lessons'], approvals: { count: 1, roles: ['approver'] } } } } },
    closed: { closed: true, marks: ['resolved', 'closed'] },
  },
};

let stack: Stack;
const token: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack();
  for (const role of ['ingest', 'analyst', 'approver', 'engineer', 'auditor'] as const) token[role] = await stack.token([role], role);
  const registered = await stack.call('POST', '/v1/playbooks', token.engineer!, HOSTILE_PLAYBOOK);
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  expect(registered.body.normalised).toEqual(['name', 'description']);
});
afterAll(async () => stack?.close());

async function history(id: string) {
  const response = await stack.call('GET', `/v1/incidents/${id}/history`, token.auditor!);
  expect(response.status).toBe(200);
  return response.body.events as Array<{ seq: number; type: string; actor: string; data: Record<string, any> }>;
}

describe('hostile text', () => {
  it('stores every kind of hostile string from every route and walks the incident to closed', async () => {
    const key = { rule: { id: 'hostile-1', name: hostile(2) }, assets: [{ hostname: `web-${hostile(0)}` }] };
    const raw = Object.fromEntries(HOSTILE.map((text, i) => [`k${i}${text}`, { text, list: [text] }]));
    const accepted = await postAlert(stack, token.ingest!, {
      sourceId: `hostile-${hostile(1)}`,
      title: `Beacon ${hostile(0)} ${hostile(1)}`,
      severity: 'low',
      category: hostile(5),
      observables: [{ type: 'domain', value: `evil${hostile(2)}.example` }],
      raw,
      ...key,
    });
    const id = accepted.incidentId as string;

    // A later, critical alert with the same key still reaches the incident.
    const critical = await postAlert(stack, token.ingest!, { sourceId: 'hostile-critical', title: 'Ransomware', severity: 'critical', ...key });
    expect(critical.incidentId).toBe(id);

    const analyst = token.analyst!;
    const step = async (path: string, body: unknown, who = analyst, status = 200) => {
      const response = await stack.call('POST', `/v1/incidents/${id}/${path}`, who, body);
      expect(response.status, `${path}: ${JSON.stringify(response.body)}`).toBe(status);
      return response.body;
    };
    await step('assign', { assignee: `bob${hostile(0)}` });
    await step('work-log', { minutes: 5, note: HOSTILE.join(' ') });
    const note = (await stack.call('POST', `/v1/incidents/${id}/notes`, analyst, { body: `@eve ${HOSTILE.join(' ')}` })).body;
    expect(note.body).toBe(storable(`@eve ${HOSTILE.join(' ')}`));
    expect((await stack.call('PATCH', `/v1/incidents/${id}/notes/${note.id}`, analyst, { body: hostile(1) })).body.body).toBe(`x${FFFD}y`);
    const task = await step('tasks', { title: hostile(0), description: hostile(1), assignee: hostile(2) }, analyst, 201);
    expect(task.title).toBe(`x${FFFD}y`);
    expect((await stack.call('GET', `/v1/incidents/${id}/timeline`, analyst)).status).toBe(200);
    await step('transitions', { event: 'escalate', comment: hostile(1), fields: { summary: hostile(0), extra: [hostile(2), { nested: hostile(0) }] }, checklist: ['scope-checked', hostile(0)] });
    await step('transitions', { event: 'contain', comment: hostile(2), fields: { lessons: hostile(1) } }, analyst, 202);
    const closed = await step('approvals', { event: 'contain', decision: 'approve', comment: hostile(0) }, token.approver!);
    expect(closed.stage).toBe('closed');

    const view = (await stack.call('GET', `/v1/incidents/${id}`, analyst)).body;
    expect(view).toMatchObject({ title: storable(`Beacon ${hostile(0)} ${hostile(1)}`), severity: 'critical', alertCount: 2, assignee: `bobx${FFFD}y` });
    expect(view.fields.summary).toBe(`x${FFFD}y`);
    const listed = (await stack.call('GET', '/v1/incidents?playbook=hostile-drill', analyst)).body.incidents.map((i: { id: string }) => i.id);
    expect(listed).toContain(id);

    const events = await history(id);
    const normalised = (type: string) => events.find((e) => e.type === type)?.data.normalised;
    expect(normalised('alert_received')).toEqual(expect.arrayContaining(['sourceId', 'title', 'raw', 'rule.name', 'assets.0.hostname', 'observables.0.value']));
    expect(normalised('assigned')).toEqual(['assignee']);
    expect(normalised('work_logged')).toEqual(['note']);
    expect(normalised('note_added')).toEqual(['body']);
    expect(normalised('note_edited')).toEqual(['body']);
    expect(normalised('task_created')).toEqual(expect.arrayContaining(['title', 'description']));
    expect(events.find((e) => e.type === 'transitioned')!.data.normalised).toEqual(expect.arrayContaining(['fields.summary', 'checklist.1']));
    expect(normalised('approval_granted')).toEqual(['comment']);
    expect(events.map((e) => e.type)).not.toContain('recording_failed');
    expect((await stack.call('GET', `/v1/incidents/${id}/history/verify`, token.auditor!)).body).toMatchObject({ valid: true, events: events.length });

    const [row] = await stack.database.db.query.alerts.findMany({ where: (t, { eq }) => eq(t.incidentId, id), orderBy: (t, { asc }) => asc(t.receivedAt), limit: 1 });
    expect(row!.normalised).toEqual(expect.arrayContaining(['title', 'raw']));
    expect(JSON.stringify(row!.raw)).not.toMatch(/\\u0000|\\ud800/);

    const health = await stack.call('GET', '/v1/health/incidents', analyst);
    expect(health.status, JSON.stringify(health.body)).toBe(200);
    expect(health.body.stuck.map((s: { incidentId: string }) => s.incidentId)).not.toContain(id);
  });

  it('stores hostile strings in reported incidents, context imports, channels and key names', async () => {
    const reported = await stack.call('POST', '/v1/incidents', token.analyst!, { title: `Phish ${hostile(0)}`, severity: 'medium', description: HOSTILE.join('\n'), category: hostile(1) });
    expect(reported.status, JSON.stringify(reported.body)).toBe(201);
    expect(reported.body.title).toBe(`Phish x${FFFD}y`);
    const opened = (await history(reported.body.id)).find((e) => e.type === 'incident_opened')!;
    expect(opened.data.normalised).toEqual(expect.arrayContaining(['title', 'description', 'category']));

    const assets = HOSTILE.map((text, i) => ({ id: `asset-${i}`, hostname: `h${i}`, ips: [], criticality: 'low', owner: text, businessUnit: text }));
    const imported = await stack.call('PUT', '/v1/context/assets', token.engineer!, assets);
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    const key = await stack.call('POST', '/v1/api-keys', stack.adminToken, { name: `svc ${hostile(0)}`, roles: ['ingest'] });
    expect(key.status).toBe(201);
    expect(key.body.name).toBe(`svc x${FFFD}y`);
    for (const query of ['stage=a%00b', 'playbook=%ED%A0%80', 'stage=%00&severity=high', 'cursor=%00']) {
      const listed = await stack.call('GET', `/v1/incidents?${query}`, token.analyst!);
      expect([200, 400], `${query}: ${JSON.stringify(listed.body)}`).toContain(listed.status);
    }
  });
});
